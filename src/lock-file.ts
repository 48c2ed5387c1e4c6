// Rewriting a file another program owns, the way git does (lockfile.c): the new
// content goes to `<file>.lock`, created exclusively so two writers cannot both hold
// it, and is renamed over the file. A symlink is followed first, as git follows it,
// so the file a dotfile manager links to is what changes, and the link stays a link.
import { closeSync, constants, fstatSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync, fchmodSync } from 'node:fs';
import { type FileCalls, isBusy, nodeFileCalls, renameWhileBusy } from './file-calls.js';

export class LockedFileError extends Error {
  override readonly name = 'LockedFileError';
}

export interface Rewritten {
  /** The file that was written: the link's target when the path was a symlink. */
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

/**
 * Replaces the text of `path` (through any symlink) with `change(text)`, read under
 * the lock so that a concurrent `git credential-store` write is neither lost nor
 * overwritten. The file keeps its permission bits.
 */
export function rewriteUnderLock(path: string, change: (text: string) => string, calls: FileCalls = nodeFileCalls): Rewritten {
  const real = realpathSync(path);
  const lock = `${real}.lock`;
  let fd: number;
  try {
    fd = calls.open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    // On Windows a lock another git just removed, but still holds open, refuses to be created (EPERM): held too.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' || isBusy(error, calls.platform)) {
      throw new LockedFileError(`${real} is being changed by another process (${lock} exists; if no git is running, remove it and try again)`);
    }
    throw new Error(`cannot create ${lock}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let committed = false;
  try {
    const before = readFileSync(real, 'utf8');
    const after = change(before);
    fchmodSync(fd, statMode(real));
    writeSync(fd, after);
    closeSync(fd);
    fd = -1;
    renameWhileBusy(lock, real, calls);
    committed = true;
    return { path: real, before, after };
  } finally {
    if (fd >= 0) closeSync(fd);
    if (!committed) {
      try {
        unlinkSync(lock);
      } catch {
        // Already gone.
      }
    }
  }
}

function statMode(path: string): number {
  const fd = openSync(path, constants.O_RDONLY);
  try {
    return fstatSync(fd).mode & 0o777;
  } finally {
    closeSync(fd);
  }
}
