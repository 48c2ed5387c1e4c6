// Runs a command on a real pseudo-terminal (util-linux `script`), types into it
// when the screen shows what we wait for, and returns everything the screen showed.
import { spawn } from 'node:child_process';

export interface Exchange {
  /** Type `send` once the screen has shown `when`. */
  readonly when: string | RegExp;
  /** A Buffer is typed as its exact bytes (which need not be UTF-8). */
  readonly send: string | Buffer;
}

export function runOnTerminal(
  argv: readonly string[],
  exchanges: readonly Exchange[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 15_000,
): Promise<{ code: number | null; screen: string }> {
  const command = argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    let next = 0;
    let sentAt = 0;
    const onOutput = (chunk: Buffer) => {
      screen += chunk.toString('utf8');
      const exchange = exchanges[next];
      if (!exchange) return;
      const seen = screen.slice(sentAt);
      const matched = typeof exchange.when === 'string' ? seen.includes(exchange.when) : exchange.when.test(seen);
      if (matched) {
        next++;
        sentAt = screen.length;
        child.stdin.write(exchange.send);
      }
    };
    child.stdin.on('error', () => {
      // The session may end before everything was typed; the screen tells the story.
    });
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`terminal session timed out; screen so far:\n${screen}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}
