// Runs the real git client in a sealed environment: a test HOME, no system
// config, no prompts, and the test server's CA (the machine may set GIT_SSL_CAINFO).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HELPER } from './helper-process.js';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GitClient {
  root: string;
  env: NodeJS.ProcessEnv;
  git(args: readonly string[], options?: { cwd?: string; input?: string }): Promise<GitResult>;
}

/**
 * A client whose PATH has `git-credential-pat`, so `credential.helper = pat` works
 * exactly as it does for a user who installed the package.
 */
export function gitClient(caFile: string): GitClient {
  const root = mkdtempSync(join(tmpdir(), 'gcp-git-'));
  const bin = join(root, 'bin');
  mkdirSync(bin);
  symlinkSync(HELPER, join(bin, 'git-credential-pat'));
  const home = join(root, 'home');
  mkdirSync(home);
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_SSL_CAINFO: caFile,
    GIT_AUTHOR_NAME: 'Test Author',
    GIT_AUTHOR_EMAIL: 'author@example.test',
    GIT_COMMITTER_NAME: 'Test Committer',
    GIT_COMMITTER_EMAIL: 'committer@example.test',
    ...(process.env.DBUS_SESSION_BUS_ADDRESS ? { DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS } : {}),
  };
  return {
    root,
    env,
    git: (args, options = {}) =>
      new Promise((resolve) => {
        const child = execFile('git', [...args], { cwd: options.cwd ?? root, env, timeout: 20_000 }, (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
        });
        // git may exit without reading its stdin (git config does): that is no error.
        child.stdin?.on('error', () => {});
        child.stdin?.end(options.input ?? '');
      }),
  };
}
