// Runs the built helper as git would: a real process, request on stdin.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess, type ProcessResult } from './run-process.js';

export const HELPER = fileURLToPath(new URL('../../bin/git-credential-pat.cjs', import.meta.url));

export type RunResult = ProcessResult;

const homesMade: string[] = [];

/** A private HOME/XDG tree, so the index file and git config are the test's own. Removed after the test file (test/support/remove-homes.ts). */
export function testHome(): NodeJS.ProcessEnv {
  const root = mkdtempSync(join(tmpdir(), 'gcp-test-'));
  homesMade.push(root);
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

/** Removes every folder testHome() made in this test file; one that cannot be removed is left, not an error. */
export function removeTestHomes(): void {
  for (const root of homesMade.splice(0)) {
    try {
      rmSync(root, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // A daemon still writing into it, or a test's own chmod: the folder stays in tmp.
    }
  }
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
  return runProcess(process.execPath, [HELPER, ...args], { ...process.env, ...env }, { input, limitMs: timeoutMs });
}

/** `key=value` lines from attribute pairs, as git writes them. */
export function request(pairs: Record<string, string>): string {
  return Object.entries(pairs)
    .map(([k, v]) => `${k}=${v}\n`)
    .join('');
}
