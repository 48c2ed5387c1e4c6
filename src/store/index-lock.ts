// The index's lock file. Waiting for it is judged the way keychain calls are: by
// asking, not by a clock. Under load (two hundred helpers on two cores) a live
// holder can be descheduled for many seconds; a fixed wait then fails a store whose
// keychain write already succeeded, and an age rule breaks a lock still in use. So
// the lock names its holder (PID and PID namespace), and a waiter breaks it when
// the kernel says that holder is gone, or when a holder that looks alive has kept it
// far longer than any index update takes (its PID was reused after a crash, or it
// is stopped): a lock left behind must never fail every later store.
import { closeSync, constants, linkSync, readFileSync, readlinkSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { type FileCalls, isBusy, nodeFileCalls, renameWhileBusy } from '../file-calls.js';

/** A holder keeping the lock this long is stuck or not the writer any more (an update takes milliseconds of CPU). */
export const HOLD_LIMIT_MS = 60_000;
/** A lock whose holder cannot be checked (another PID namespace, an older version's empty lock) is broken at this age. */
export const STALE_LOCK_MS = 10_000;

export interface LockHolder {
  readonly pid: number;
  /** /proc/self/ns/pid's target ("pid:[4026531836]"); '' where there is none. */
  readonly namespace: string;
}

/** When a lock is judged left behind; a lock held across network calls (rotate's) needs longer. */
export interface LockLimits {
  readonly holdMs: number;
  readonly staleMs: number;
}

const INDEX_LIMITS: LockLimits = { holdMs: HOLD_LIMIT_MS, staleMs: STALE_LOCK_MS };

/** What a waiter concludes about the lock it found. Pure. */
export function judgeLock(holder: LockHolder | undefined, here: string, alive: (pid: number) => boolean, ageMs: number, limits: LockLimits = INDEX_LIMITS): 'wait' | 'break' {
  if (holder && holder.namespace === here) return alive(holder.pid) && ageMs <= limits.holdMs ? 'wait' : 'break';
  return ageMs > limits.staleMs ? 'break' : 'wait';
}

/** `PID NAMESPACE TOKEN`; the token (random, per lock taken) is absent in an older version's lock. */
export function parseHolder(text: string): LockHolder | undefined {
  const match = /^(\d+) (\S*)(?: [0-9a-z]+)?\n?$/.exec(text);
  if (!match) return undefined;
  const pid = Number(match[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, namespace: match[2] ?? '' } : undefined;
}

/** Takes the lock, waiting while a live holder keeps it; returns its release. */
export function acquireLock(lockPath: string, calls: FileCalls = nodeFileCalls): () => void {
  const refused: Refusal = {};
  for (;;) {
    const release = tryLock(lockPath, INDEX_LIMITS, calls, refused);
    if (release) return release;
    // A random pause, so two hundred waiters do not poll in step.
    calls.sleep(10 + Math.floor(Math.random() * 20));
  }
}

/** Since when creating the lock has been refused (Windows), across one caller's attempts. */
interface Refusal {
  since?: number | undefined;
}

/**
 * One attempt: the lock's release when taken (breaking one left behind), or undefined
 * while a live holder keeps it, for callers that wait in their own way (asynchronously).
 */
export function tryLock(lockPath: string, limits: LockLimits = INDEX_LIMITS, calls: FileCalls = nodeFileCalls, refused: Refusal = {}): (() => void) | undefined {
  const here = pidNamespace();
  // The token makes this lock's text its own: a lock taken again by the same process
  // (or a reused PID) reads differently, so no one mistakes it for the one they judged.
  const me = `${process.pid} ${here} ${Math.random().toString(36).slice(2, 12)}\n`;
  for (;;) {
    try {
      const fd = calls.open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        writeSync(fd, me);
      } finally {
        closeSync(fd);
      }
      return () => release(lockPath, me, calls);
    } catch (error) {
      if (isBusy(error, calls.platform)) {
        // Windows: a lock just released but still open in a waiter that was reading it
        // cannot be created again until that handle closes. It is held, for a moment.
        // A refusal that outlasts a stale lock is a real one (a folder we may not write).
        refused.since ??= calls.now();
        if (calls.now() - refused.since > limits.staleMs) throw error;
        return undefined;
      }
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    refused.since = undefined;
    const text = readLock(lockPath);
    if (text === undefined) continue; // released meanwhile
    if (judgeLock(parseHolder(text), here, isAlive, ageMs(lockPath), limits) === 'wait') return undefined;
    breakLock(lockPath, text, calls);
  }
}

function release(lockPath: string, me: string, calls: FileCalls): void {
  // Only our own lock: had it been broken and retaken, the file would be another's.
  // Looked at first, so a lock that is another's is never moved aside (see breakLock).
  if (readLock(lockPath) !== me) return;
  removeLock(lockPath, me, calls);
}

/**
 * Removes the lock only if it is still the one judged (not a new holder's). Looked at
 * first: a judged holder that released and exited is the common case in a burst, and
 * moving the new holder's lock aside to find that out would open, every time, the
 * window in which a third process takes the name (200 stores at once lost index rows).
 */
function breakLock(lockPath: string, judged: string, calls: FileCalls): void {
  if (readLock(lockPath) !== judged) return;
  removeLock(lockPath, judged, calls);
}

/**
 * Removes the lock at `lockPath` only if it is the one whose text is `expected`. Reading
 * it and then unlinking the name is not that: a waiter paused between the two deleted
 * the lock another waiter had just taken (after breaking the same old one), and two
 * writers held the index. A rename takes whatever holds the name at that instant, so
 * the lock is moved aside first and what was moved is read: the expected one is
 * removed; another (a new holder's) is linked back under the name. Only if a third
 * process took the freed name in the microseconds between can that fail.
 * On Windows the rename also frees a name that readers holding the file open would keep
 * taken (a deleted file stays until its last handle closes); index-file.ts sweeps what
 * a failed removal leaves aside.
 */
function removeLock(lockPath: string, expected: string, calls: FileCalls): void {
  const aside = `${lockPath}.${process.pid.toString(36)}${Math.random().toString(36).slice(2, 10)}.tmp`;
  try {
    renameWhileBusy(lockPath, aside, calls);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    // Held where even a rename is refused (Windows): by name, as the last resort; a lock
    // left behind is broken later by the holder check.
    if (readLock(lockPath) === expected) unlinkQuietly(lockPath);
    return;
  }
  if (readLock(aside) !== expected) {
    try {
      linkSync(aside, lockPath);
    } catch {
      // The name was taken again meanwhile: that holder goes on; the one moved aside lost its lock.
    }
  }
  unlinkQuietly(aside);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone, or refused: the holder check breaks a lock left behind.
  }
}

function readLock(lockPath: string): string | undefined {
  try {
    return readFileSync(lockPath, 'latin1');
  } catch {
    return undefined;
  }
}

function ageMs(lockPath: string): number {
  try {
    return Date.now() - statSync(lockPath).mtimeMs;
  } catch {
    return 0;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let namespace: string | undefined;

function pidNamespace(): string {
  if (namespace === undefined) {
    try {
      namespace = readlinkSync('/proc/self/ns/pid');
    } catch {
      namespace = '';
    }
  }
  return namespace;
}
