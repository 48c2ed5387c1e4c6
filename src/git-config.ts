// Reading and writing git's own configuration through the git binary, so every
// rule git applies (includes, scopes, URL matching) is git's.
import { execFile } from 'node:child_process';
import { parseConfigDump, type ConfigEntry } from './credential-helpers.js';
import { appendToConfigFile, globalConfigFile, renderSection } from './git-config-file.js';

export type ConfigScope = 'global' | 'local' | 'system';

export interface GitConfig {
  /** `git config --get-urlmatch KEY URL`: the value git would use for that URL. */
  getUrlmatch(key: string, url: string): Promise<string | undefined>;
  /** The same, read by git's own boolean rules: 'invalid' where git would refuse the value. */
  getUrlmatchBool(key: string, url: string): Promise<boolean | 'unset' | 'invalid'>;
  setGlobal(key: string, value: string): Promise<void>;
  /** Every entry whose key matches the regexp, in the order git reads them. */
  entries(keyRegexp: string): Promise<ConfigEntry[]>;
  getAll(scope: ConfigScope, key: string): Promise<string[]>;
  add(scope: ConfigScope, key: string, value: string): Promise<void>;
  unsetAll(scope: ConfigScope, key: string): Promise<void>;
  /**
   * Appends `[section "subsection"]` with these entries at the end of the scope's file,
   * so git reads them after everything else in it; returns the file.
   */
  appendSection(scope: ConfigScope, section: string, subsection: string | undefined, entries: ReadonlyArray<readonly [string, string]>): Promise<string>;
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
  /** The file `git config --<scope>` writes. */
  const scopeFile = async (scope: ConfigScope): Promise<string> => {
    if (scope === 'global') return globalConfigFile(env);
    if (scope === 'local') return (await must(['rev-parse', '--path-format=absolute', '--git-path', 'config'])).stdout.trim();
    if (env.GIT_CONFIG_SYSTEM) return env.GIT_CONFIG_SYSTEM;
    // The system file's place is compiled into git; it names it when the file exists.
    const listed = await git(['config', '--system', '--show-origin', '--null', '--list']);
    const origin = listed.code === 0 ? /^file:([^\0]+)\0/.exec(listed.stdout)?.[1] : undefined;
    if (!origin) throw new Error('git has no system config file yet; create it first (git config --system --add credential.helper pat)');
    return origin;
  };
  return {
    async getUrlmatch(key, url) {
      const result = await git(['config', '--get-urlmatch', key, url]);
      return result.code === 0 ? result.stdout.replace(/\n$/, '') : undefined;
    },
    async getUrlmatchBool(key, url) {
      const result = await git(['config', '--type=bool', '--get-urlmatch', key, url]);
      if (result.code === 1) return 'unset';
      if (result.code !== 0) return 'invalid';
      return result.stdout.trim() === 'true';
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
    async appendSection(scope, section, subsection, entries) {
      const file = await scopeFile(scope);
      appendToConfigFile(file, renderSection(section, subsection, entries));
      return file;
    },
    async version() {
      const result = await git(['--version']);
      return result.code === 0 ? result.stdout.trim().replace(/^git version /, '') : undefined;
    },
  };
}
