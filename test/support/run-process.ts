// Running a program to its end and collecting what it said: the one way tests do it.
import { spawn } from 'node:child_process';

export interface ProcessResult {
  /** null when it died by a signal (ours, at the limit, included). */
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** It was still running at the limit, and was killed. */
  timedOut: boolean;
}

export interface RunOptions {
  /** Written to its stdin, which is then closed (how a password reaches it: never argv). */
  input?: string | Buffer;
  /** Past this it is killed (SIGKILL), and the result says timedOut. */
  limitMs?: number;
  /** Close the reading end of its stdout before it writes a byte, as `| head -0` would. */
  closeStdout?: boolean;
  cwd?: string;
}

export function runProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv, options: RunOptions = {}): Promise<ProcessResult> {
  const { input = '', limitMs = 40_000, closeStdout = false, cwd } = options;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, [...args], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    if (closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), ms: performance.now() - started, timedOut });
    });
    // It may stop reading early (at a blank line, an oversized request, or an error).
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
