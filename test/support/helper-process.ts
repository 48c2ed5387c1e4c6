// Runs the built helper as git would: a real process, request on stdin.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HELPER = fileURLToPath(new URL('../../bin/git-credential-pat.cjs', import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A private HOME/XDG tree, so the index file and git config are the test's own. */
export function testHome(): NodeJS.ProcessEnv {
  const root = mkdtempSync(join(tmpdir(), 'gcp-test-'));
  return {
    HOME: root,
    XDG_CONFIG_HOME: join(root, '.config'),
    XDG_STATE_HOME: join(root, '.local', 'state'),
    XDG_CACHE_HOME: join(root, '.cache'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    // Headless, whatever machine runs the tests: the keychain timeout depends on it.
    DISPLAY: undefined,
    WAYLAND_DISPLAY: undefined,
    // Tests that want a trace ask for one; a developer's exported setting must not leak in.
    GIT_CREDENTIAL_PAT_TRACE: undefined,
  };
}

/** A host name no other test uses: the keychain is shared by the whole run. `.invalid` never resolves. */
export function uniqueHost(label = 'h'): string {
  return `${label}-${randomBytes(4).toString('hex')}.example.invalid`;
}

export function runHelper(
  args: readonly string[],
  input: string | Buffer,
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 15_000,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [HELPER, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        ms: performance.now() - started,
      });
    });
    child.stdin.on('error', () => {
      // The helper may stop reading early (at a blank line or an oversized request).
    });
    child.stdin.end(input);
  });
}

/** `key=value` lines from attribute pairs, as git writes them. */
export function request(pairs: Record<string, string>): string {
  return Object.entries(pairs)
    .map(([k, v]) => `${k}=${v}\n`)
    .join('');
}
