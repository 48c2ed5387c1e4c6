// Whether a socket (or the folder for one) can only have been put there by this user.
// A bus socket is trusted with every token git stores: where XDG_RUNTIME_DIR is shared
// or was made by someone else (/tmp, a /tmp/runtime-$USER another user created first),
// that user could plant a folder and socket of their own, or swap ours for them. So
// the real path (symlinks resolved, and used from then on) must run through folders
// that only we or root can change, as OpenSSH's safe_path judges a key's path.
import { lstatSync, realpathSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';

export type Lstat = (path: string) => Pick<Stats, 'uid' | 'mode' | 'isDirectory' | 'isSocket'> | undefined;

const S_ISVTX = 0o1000;

function lstatOrNothing(path: string): ReturnType<Lstat> {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Why `folder` (a real path) could be changed by another user, or undefined when it
 * cannot: it must be a directory of `uid` that nobody else may enter or write, and
 * every folder above it must belong to `uid` or root and be writable by no one else,
 * unless it is sticky (/tmp), where others cannot move what is ours. Pure but for `lstat`.
 */
export function untrustedFolder(folder: string, uid: number, lstat: Lstat = lstatOrNothing): string | undefined {
  const own = lstat(folder);
  if (!own?.isDirectory() || own.uid !== uid || (own.mode & 0o077) !== 0) return `${folder} is not a folder of yours that only you may use (mode 0700)`;
  let child = own;
  for (let path = folder; path !== dirname(path); ) {
    path = dirname(path);
    const above = lstat(path);
    if (!above?.isDirectory()) return `${path} is not a folder`;
    if (above.uid !== uid && above.uid !== 0) return `${path} belongs to another user (uid ${above.uid})`;
    if ((above.mode & 0o022) !== 0 && !((above.mode & S_ISVTX) !== 0 && child.uid === uid)) return `${path} may be changed by other users`;
    child = above;
  }
  return undefined;
}

/**
 * The socket's real path when only `uid` (or root) could have put it there: a socket
 * of `uid`'s in a trusted folder. Undefined otherwise, or when there is none.
 */
export function trustedSocket(socket: string, uid: number, lstat: Lstat = lstatOrNothing, realpath: (path: string) => string = realpathSync.native): string | undefined {
  let real: string;
  try {
    real = realpath(socket);
  } catch {
    return undefined;
  }
  const info = lstat(real);
  if (!info?.isSocket() || info.uid !== uid) return undefined;
  return untrustedFolder(dirname(real), uid, lstat) === undefined ? real : undefined;
}
