// Older versions kept Windows' state under the Unix rule (~/.local/state/git-credential-pat,
// under git's HOME). It moves to %LOCALAPPDATA% once, under the index locks of both
// folders (so no writer of either version is half way through), and loses nothing:
//  - index.json: every row of both; for the same target and username the row of the
//    new folder wins, being the one in use since. The old file goes once merged, so
//    an account erased later cannot come back from it.
//  - setup.json: the new folder's records, then the old ones it lacks.
//  - anything else moves across when the new folder has no file of that name.
// What cannot be merged (a damaged file, a name both folders hold) stays in the old
// folder, which is then renamed aside to `git-credential-pat.old-<time>`: kept whole
// for a person to look at, and no longer found, so the move is not tried again.
import { cpSync, existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, unlinkSync } from 'node:fs';
import { join, win32 } from 'node:path';
import { osModule } from '../builtin.js';
import { type FileCalls, nodeFileCalls, renameWhileBusy } from '../file-calls.js';
import { findRow, indexText, parseIndex, readOwnFile, stateDir, writeFileAtomic } from './index-file.js';
import { acquireLock } from './index-lock.js';

const LOCK = 'index.json.lock';

/**
 * Where versions before %LOCALAPPDATA% kept Windows' state: the Unix rule, with git's
 * HOME. Only Windows paths count: under wine a Unix XDG_STATE_HOME or HOME names the
 * Linux side's own folder (through Z:), which is not ours to move.
 */
export function legacyStateDir(env: NodeJS.ProcessEnv): string {
  const windows = (path: string | undefined) => (path && /^([A-Za-z]:[\\/]|\\\\)/.test(path) ? path : undefined);
  return win32.join(windows(env.XDG_STATE_HOME) ?? win32.join(windows(env.HOME) ?? osModule().homedir(), '.local', 'state'), 'git-credential-pat');
}

/** On Windows, moves an older version's state folder into %LOCALAPPDATA% (once; a stat when there is none). */
export function moveWindowsState(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): void {
  if (platform !== 'win32') return;
  const legacy = legacyStateDir(env);
  const current = stateDir(env, platform);
  if (legacy.toLowerCase() !== current.toLowerCase()) moveLegacyState(legacy, current);
}

/** Moves `legacy`'s state into `current`; false when there was nothing to move. */
export function moveLegacyState(legacy: string, current: string, calls: FileCalls = nodeFileCalls): boolean {
  if (!existsSync(legacy)) return false;
  mkdirSync(current, { recursive: true, mode: 0o700 });
  const releaseCurrent = acquireLock(join(current, LOCK), calls);
  try {
    // Another process may have moved it while we waited for the lock.
    if (!existsSync(legacy)) return false;
    const releaseLegacy = acquireLock(join(legacy, LOCK), calls);
    let kept: boolean;
    try {
      kept = moveEntries(legacy, current, calls);
    } catch (error) {
      releaseLegacy();
      throw error;
    }
    if (kept) {
      setAside(legacy, calls);
    } else {
      // Only our lock is left: release it and take the empty folder away. Should an
      // older version have begun a write meanwhile, the folder stays for the next move.
      releaseLegacy();
      try {
        rmdirSync(legacy);
      } catch {
        // Not empty again: moved next time.
      }
    }
    return true;
  } finally {
    releaseCurrent();
  }
}

/** Merges or moves each entry; true when something had to stay. */
function moveEntries(legacy: string, current: string, calls: FileCalls): boolean {
  let kept = false;
  for (const name of readdirSync(legacy)) {
    const from = join(legacy, name);
    const to = join(current, name);
    if (name === LOCK) continue;
    if (name.startsWith('index.json.') && name.endsWith('.tmp')) {
      // Written only under the lock we hold: a dead writer's leftover.
      unlinkSync(from);
    } else if (name === 'index.json') {
      kept = !merge(from, to, calls, (old, now) => {
        const rows = parseIndex(now ?? '');
        return indexText([...rows, ...parseIndex(old).filter((row) => !findRow(rows, row.target, row.username))]);
      }) || kept;
    } else if (name === 'setup.json') {
      kept = !merge(from, to, calls, (old, now) => {
        const records = jsonArray(now ?? '[]') ?? [];
        const seen = new Set(records.map((r) => JSON.stringify(r)));
        return JSON.stringify([...records, ...(jsonArray(old) ?? []).filter((r) => !seen.has(JSON.stringify(r)))], null, 1) + '\n';
      }) || kept;
    } else if (!existsSync(to)) {
      moveAcross(from, to, calls);
    } else {
      kept = true;
    }
  }
  return kept;
}

/**
 * Writes `combine(old, current)` to `to` and removes `from`; false, touching nothing,
 * when the old file is damaged (it would merge as empty and be lost).
 */
function merge(from: string, to: string, calls: FileCalls, combine: (old: string, current: string | undefined) => string): boolean {
  const old = readOwnFile(from);
  if (old === undefined) return true;
  if (!intact(old)) return false;
  writeFileAtomic(to, combine(old, readOwnFile(to)), calls);
  unlinkSync(from);
  return true;
}

/** A JSON document, as our writers leave it: an index ({items: [...]}) or a list of records. */
function intact(text: string): boolean {
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) || Array.isArray((value as { items?: unknown } | null)?.items);
  } catch {
    return false;
  }
}

function jsonArray(text: string): unknown[] | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A rename, or a copy and a removal where the two folders are on different volumes. */
function moveAcross(from: string, to: string, calls: FileCalls): void {
  try {
    renameWhileBusy(from, to, calls);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    cpSync(from, to, { recursive: true, errorOnExist: true, force: false });
    rmSync(from, { recursive: true, force: true });
  }
}

/** Renames the old folder (with our lock inside, then removed) out of the way, keeping it whole. */
function setAside(legacy: string, calls: FileCalls): void {
  const aside = `${legacy}.old-${Date.now()}`;
  try {
    renameWhileBusy(legacy, aside, calls);
  } catch {
    // Held open on Windows longer than we wait: it stays, and what is left is looked at again next time.
    try {
      unlinkSync(join(legacy, LOCK));
    } catch {
      // Gone already.
    }
    return;
  }
  try {
    unlinkSync(join(aside, LOCK));
  } catch {
    // Gone already.
  }
}
