// Reading and writing git's own configuration through the git binary, so every
// rule git applies (includes, scopes, URL matching) is git's.
import { execFile } from 'node:child_process';
import { parseConfigDump, type ConfigEntry } from './credential-helpers.js';

export type ConfigScope = 'global' | 'local' | 'system';

export interface GitConfig {
  /** `git config --get-urlmatch KEY URL`: the value git would use for that URL. */
  getUrlmatch(key: string, url: string): Promise<string | undefined>;
  setGlobal(key: string, value: string): Promise<void>;
  /** Every entry whose key matches the regexp, in the order git reads them. */
  entries(keyRegexp: string): Promise<ConfigEntry[]>;
  getAll(scope: ConfigScope, key: string): Promise<string[]>;
  add(scope: ConfigScope, key: string, value: string): Promise<void>;
  unsetAll(scope: ConfigScope, key: string): Promise<void>;
  /** `git --version`, or undefined when git cannot be run. */
  version(): Promise<string | undefined>;
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function gitConfig(env: NodeJS.ProcessEnv = process.env): GitConfig {
  const git = (args: string[]) =>
    new Promise<Result>((resolve) => {
      execFile('git', args, { env, timeout: 10_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  const must = async (args: string[]) => {
    const result = await git(args);
    if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr.trim().split('\n')[0] ?? ''}`);
    return result;
  };
  return {
    async getUrlmatch(key, url) {
      const result = await git(['config', '--get-urlmatch', key, url]);
      return result.code === 0 ? result.stdout.replace(/\n$/, '') : undefined;
    },
    async setGlobal(key, value) {
      await must(['config', '--global', key, value]);
    },
    async entries(keyRegexp) {
      const result = await git(['config', '--null', '--show-scope', '--show-origin', '--get-regexp', keyRegexp]);
      return result.code === 0 ? parseConfigDump(result.stdout) : [];
    },
    async getAll(scope, key) {
      const result = await git(['config', `--${scope}`, '--null', '--get-all', key]);
      return result.code === 0 ? result.stdout.split('\0').slice(0, -1) : [];
    },
    async add(scope, key, value) {
      await must(['config', `--${scope}`, '--add', key, value]);
    },
    async unsetAll(scope, key) {
      const result = await git(['config', `--${scope}`, '--unset-all', key]);
      // 5: nothing to unset, which is what we wanted.
      if (result.code !== 0 && result.code !== 5) throw new Error(`git config --unset-all ${key} failed: ${result.stderr.trim().split('\n')[0] ?? ''}`);
    },
    async version() {
      const result = await git(['--version']);
      return result.code === 0 ? result.stdout.trim().replace(/^git version /, '') : undefined;
    },
  };
}
