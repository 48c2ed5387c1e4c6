// Appending a section to the end of a git config file, where git reads it last.
// `git config --add` puts a key into the last existing section of that name, which may
// sit above entries that then undo it (a `[credential] helper = store` further down);
// only a new section at the end of the file is read after everything in that file.
// The write follows git's own lockfile convention: FILE.lock created exclusively,
// the whole new content written to it, then renamed over FILE (through a symlink to
// its target, as git does), keeping the file's mode.
import { closeSync, constants, existsSync, fchmodSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { osModule } from './builtin.js';
import { join } from 'node:path';

/** `[credential "https://github.com"]` / `[credential]` with its entries, as git writes them. */
export function renderSection(section: string, subsection: string | undefined, entries: ReadonlyArray<readonly [string, string]>): string {
  const header = subsection === undefined ? `[${section}]` : `[${section} "${subsection.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"]`;
  return `${header}\n${entries.map(([key, value]) => `\t${key} = ${quoteValue(value)}\n`).join('')}`;
}

/** A value git reads back unchanged: quoted when it has leading/trailing space or comment characters. */
function quoteValue(value: string): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  return /^\s|\s$|[;#]/.test(value) ? `"${escaped}"` : escaped;
}

/**
 * The file `git config --global` writes: $GIT_CONFIG_GLOBAL, else ~/.gitconfig, unless
 * only $XDG_CONFIG_HOME/git/config exists (git-config(1), FILES).
 */
export function globalConfigFile(env: NodeJS.ProcessEnv): string {
  if (env.GIT_CONFIG_GLOBAL) return env.GIT_CONFIG_GLOBAL;
  const home = env.HOME || osModule().homedir();
  const dotfile = join(home, '.gitconfig');
  const xdg = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'git', 'config');
  return !existsSync(dotfile) && existsSync(xdg) ? xdg : dotfile;
}

export class ConfigLockedError extends Error {
  override readonly name = 'ConfigLockedError';
}

/** Appends `text` to `file` under git's lock convention; creates the file if it is missing. */
export function appendToConfigFile(file: string, text: string): void {
  const target = existsSync(file) ? realpathSync(file) : file;
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  const mode = existsSync(target) ? statSync(target).mode & 0o7777 : 0o644;
  const lock = `${target}.lock`;
  let fd: number;
  try {
    fd = openSync(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ConfigLockedError(`${lock} exists: another git process is writing ${target}; try again once it is done (or remove the stale lock)`);
    }
    throw error;
  }
  try {
    writeSync(fd, current + (current === '' || current.endsWith('\n') ? '' : '\n') + text);
    fchmodSync(fd, mode);
    closeSync(fd);
    renameSync(lock, target);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // Already closed.
    }
    rmSync(lock, { force: true });
    throw error;
  }
}
