// Reading and writing git's own configuration through the git binary, so every
// rule git applies (includes, URL matching, scopes) is git's.
import { execFile } from 'node:child_process';

export interface GitConfig {
  /** `git config --get-urlmatch KEY URL`: the value git would use for that URL. */
  getUrlmatch(key: string, url: string): Promise<string | undefined>;
  setGlobal(key: string, value: string): Promise<void>;
}

export function gitConfig(env: NodeJS.ProcessEnv = process.env): GitConfig {
  const git = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('git', args, { env, timeout: 10_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  return {
    async getUrlmatch(key, url) {
      const result = await git(['config', '--get-urlmatch', key, url]);
      return result.code === 0 ? result.stdout.replace(/\n$/, '') : undefined;
    },
    async setGlobal(key, value) {
      const result = await git(['config', '--global', key, value]);
      if (result.code !== 0) throw new Error(`git config --global ${key} failed: ${result.stderr.trim().split('\n')[0] ?? ''}`);
    },
  };
}
