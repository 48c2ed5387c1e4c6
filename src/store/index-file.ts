// A non-secret index of what this tool has put in the keychain. Keychain APIs can
// only look up an exact service name, so this is how erase finds every path of a
// host and how a host with several accounts knows which was stored last.
// The keychain stays the truth: an index row without its item means nothing.
import { closeSync, constants, lstatSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { type FileCalls, nodeFileCalls, renameWhileBusy } from '../file-calls.js';
import { osModule } from '../builtin.js';
import { basename, dirname, join, win32 } from 'node:path';
import { sameTarget, type Target } from '../credential.js';
import type { MetadataChange, TokenMetadata } from './credential-store.js';
import { acquireLock } from './index-lock.js';
import { makeOwnFolder } from './own-folder.js';

export interface IndexRow {
  readonly target: Target;
  readonly username: string;
  /** Milliseconds since the epoch. */
  readonly storedAt: number;
  readonly metadata?: TokenMetadata;
  /** When `get` last warned about this token's expiry (ms). */
  readonly warnedAt?: number;
}

interface IndexDocument {
  version: 1;
  items: IndexRow[];
}

// Contention is legitimate (parallel submodule fetches, two hundred jobs at once): see index-lock.ts.

/**
 * Our non-secret state: $XDG_STATE_HOME/git-credential-pat (default ~/.local/state/...)
 * on Linux and macOS; %LOCALAPPDATA%\git-credential-pat on Windows, where programs keep
 * such data, local rather than roaming like Credential Manager's items. A Unix-style
 * XDG_STATE_HOME seen on Windows (wine, MSYS) is not a Windows path: it is not used.
 */
export function stateDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    return win32.join(env.LOCALAPPDATA || win32.join(env.USERPROFILE || osModule().homedir(), 'AppData', 'Local'), 'git-credential-pat');
  }
  return join(env.XDG_STATE_HOME || join(env.HOME || osModule().homedir(), '.local', 'state'), 'git-credential-pat');
}

export function defaultIndexPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  return (platform === 'win32' ? win32.join : join)(stateDir(env, platform), 'index.json');
}

/** Reads a file we own, refusing to follow a symlink planted in its place; undefined when absent. */
export function readOwnFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces a file atomically (0600, in a 0700 folder): readers see the old or the new,
 * never half. The temporary file has a random name, created exclusively: a name made
 * from the PID collides with the leftover of a crashed process whose PID came round
 * again, and then every write fails. Leftovers older than a minute are removed.
 * On Windows the rename is retried while a reader holds the file open (file-calls.ts).
 */
export function writeFileAtomic(path: string, text: string, calls: FileCalls = nodeFileCalls): void {
  makeOwnFolder(dirname(path));
  removeStaleTemps(path);
  const { fd, temp } = createTemp(path);
  try {
    writeSync(fd, text);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameWhileBusy(temp, path, calls);
  } catch (error) {
    // Not left for a minute beside the index: nothing will rename it now.
    unlinkSync(temp);
    throw error;
  }
}

/**
 * A fresh temporary file beside `path`. The name need not be secret, only unused:
 * O_EXCL refuses an existing one (or a planted symlink) and we draw again. Not
 * node:crypto, which a store would otherwise load for this alone.
 */
function createTemp(path: string): { fd: number; temp: string } {
  for (let attempt = 0; ; attempt++) {
    const temp = `${path}.${process.pid.toString(36)}${Math.random().toString(36).slice(2, 12)}.tmp`;
    try {
      return { fd: openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600), temp };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 16) throw error;
    }
  }
}

/** A temporary file this old was left by a process that died between writing and renaming. */
const STALE_TEMP_MS = 60_000;

/** Removes `<file>.<anything>.tmp` leftovers (ours, and the PID-named ones of older versions). */
function removeStaleTemps(path: string): void {
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const temp = join(dirname(path), name);
    try {
      if (now - lstatSync(temp).mtimeMs > STALE_TEMP_MS) unlinkSync(temp);
    } catch {
      // Renamed or removed by its writer meanwhile.
    }
  }
}

/** Where the index lives: a file for real use, memory for unit tests. */
export interface IndexBackend {
  rows(): IndexRow[];
  update(change: (rows: IndexRow[]) => IndexRow[]): void;
}

export class IndexFile implements IndexBackend {
  constructor(
    private readonly path: string,
    private readonly calls: FileCalls = nodeFileCalls,
  ) {}

  rows(): IndexRow[] {
    const text = readOwnFile(this.path);
    return text === undefined ? [] : parseIndex(text);
  }

  /** Read-modify-write under a lock, replaced atomically so readers never see half a file. */
  update(change: (rows: IndexRow[]) => IndexRow[]): void {
    makeOwnFolder(dirname(this.path));
    const release = this.lock();
    try {
      writeFileAtomic(this.path, indexText(change(this.rows())), this.calls);
    } finally {
      release();
    }
  }

  private lock(): () => void {
    return acquireLock(`${this.path}.lock`, this.calls);
  }
}

/** The index file's text for these rows. */
export function indexText(rows: IndexRow[]): string {
  const document: IndexDocument = { version: 1, items: rows };
  return JSON.stringify(document, null, 1) + '\n';
}

export function findRow(rows: readonly IndexRow[], target: Target, username: string): IndexRow | undefined {
  return rows.find((r) => sameTarget(r.target, target) && r.username === username);
}

/** A freshly stored credential's row: metadata set, kept from the row it replaces, or dropped. */
export function storedRow(rows: IndexRow[], target: Target, username: string, storedAt: number, change: MetadataChange): IndexRow[] {
  const previous = findRow(rows, target, username);
  const metadata = change === 'keep' ? previous?.metadata : change === 'drop' ? undefined : change;
  const warnedAt = change === 'keep' ? previous?.warnedAt : undefined;
  return upsertRow(rows, {
    target,
    username,
    storedAt,
    ...(metadata ? { metadata } : {}),
    ...(warnedAt === undefined ? {} : { warnedAt }),
  });
}

export function upsertRow(rows: IndexRow[], row: IndexRow): IndexRow[] {
  return [...removeRow(rows, row.target, row.username), row];
}

export function removeRow(rows: IndexRow[], target: Target, username: string): IndexRow[] {
  return rows.filter((r) => !(sameTarget(r.target, target) && r.username === username));
}

/** Tolerant of damage: an unreadable index is an empty one (the keychain is the truth). */
export function parseIndex(text: string): IndexRow[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return [];
  }
  const items = (document as { items?: unknown })?.items;
  if (!Array.isArray(items)) return [];
  return items.filter(isRow);
}

function isRow(value: unknown): value is IndexRow {
  const row = value as IndexRow;
  return (
    typeof row === 'object' &&
    row !== null &&
    typeof row.username === 'string' &&
    typeof row.storedAt === 'number' &&
    typeof row.target?.protocol === 'string' &&
    typeof row.target.host === 'string' &&
    (row.target.path === undefined || typeof row.target.path === 'string') &&
    (row.metadata === undefined || isMetadata(row.metadata))
  );
}

function isMetadata(value: unknown): value is TokenMetadata {
  const m = value as TokenMetadata;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.login === 'string' &&
    (m.scopes === null || (Array.isArray(m.scopes) && m.scopes.every((s) => typeof s === 'string'))) &&
    (m.expiresAt === undefined || typeof m.expiresAt === 'number') &&
    (m.lastValidated === undefined || typeof m.lastValidated === 'number') &&
    (m.provider === undefined || typeof m.provider === 'string') &&
    (m.account === undefined || typeof m.account === 'string')
  );
}
