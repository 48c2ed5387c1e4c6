// Issue 21, item 7: two writers could both hold the index lock. A waiter that judged a
// lock left behind, and was paused before removing it, removed instead the lock
// another waiter had just taken (after breaking the same old one). The pause is
// injected at the moment of removal, as the review did.
import * as realFs from 'node:fs';
import { mkdtempSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** Runs once, just before the next unlink or rename of this path by anyone: the paused waiter's moment. */
const pause: { path?: string; run?: (() => void) | undefined } = {};

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const atRemoval = (path: unknown) => {
    if (pause.run && path === pause.path) {
      const run = pause.run;
      pause.run = undefined;
      run();
    }
  };
  const unlinkSync: typeof fs.unlinkSync = (path) => (atRemoval(path), fs.unlinkSync(path));
  const renameSync: typeof fs.renameSync = (from, to) => (atRemoval(from), fs.renameSync(from, to));
  return { ...fs, default: { ...fs, unlinkSync, renameSync }, unlinkSync, renameSync };
});

const { acquireLock, tryLock } = await import('../src/store/index-lock.js');

afterEach(() => {
  pause.run = undefined;
});

/** A lock left by a process that is gone: a PID no process has, in our namespace. */
function leftBehind(lock: string): void {
  writeFileSync(lock, `${2 ** 22 + 12345} ${readlinkSync('/proc/self/ns/pid')}\n`);
}

describe('breaking a lock left behind (item 7)', () => {
  it("a waiter paused between judging and removing the old lock does not remove the new holder's", () => {
    const lock = join(mkdtempSync(join(tmpdir(), 'gcp-lock-race-')), 'index.json.lock');
    leftBehind(lock);
    let secondHolder: { ino: number; release: () => void } | undefined;
    // The first waiter judged the old lock left behind; before it removes it, a second
    // waiter breaks the same old lock and takes the name.
    pause.path = lock;
    pause.run = () => {
      const release = tryLock(lock);
      if (!release) throw new Error('the second waiter could not take a lock left behind');
      secondHolder = { ino: realFs.statSync(lock).ino, release };
    };
    const first = tryLock(lock);
    expect(secondHolder, 'the pause never came: nothing was tested').toBeDefined();
    // The second waiter holds the lock: the first must wait, and the lock is still the second's.
    expect(first).toBeUndefined();
    expect(realFs.statSync(lock).ino).toBe(secondHolder!.ino);
    secondHolder!.release();
    expect(realFs.existsSync(lock)).toBe(false);
    const after = acquireLock(lock);
    after();
    expect(realFs.readdirSync(join(lock, '..'))).toEqual([]);
  });

  it("a holder paused in its release, while its lock was broken and taken again, does not remove the new holder's", () => {
    const lock = join(mkdtempSync(join(tmpdir(), 'gcp-lock-race-')), 'index.json.lock');
    const mine = acquireLock(lock);
    let other: { ino: number; release: () => void } | undefined;
    pause.path = lock;
    pause.run = () => {
      // Meanwhile our lock was judged left behind (we were stopped past the hold limit) and another took it.
      leftBehind(lock);
      const release = tryLock(lock);
      if (!release) throw new Error('could not take a lock left behind');
      other = { ino: realFs.statSync(lock).ino, release };
    };
    mine();
    expect(other).toBeDefined();
    expect(realFs.existsSync(lock)).toBe(true);
    expect(realFs.statSync(lock).ino).toBe(other!.ino);
    other!.release();
    expect(realFs.readdirSync(join(lock, '..'))).toEqual([]);
  });
});
