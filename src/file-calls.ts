// The few file calls whose answer differs on Windows, behind one seam so that unit
// tests on Linux can make them answer as Windows does (EPERM for a file held open).
import { openSync, renameSync } from 'node:fs';

export interface FileCalls {
  readonly platform: NodeJS.Platform;
  readonly rename: (from: string, to: string) => void;
  readonly open: (path: string, flags: number, mode?: number) => number;
  readonly sleep: (ms: number) => void;
  readonly now: () => number;
}

export const nodeFileCalls: FileCalls = { platform: process.platform, rename: renameSync, open: openSync, sleep, now: Date.now };

/** Blocks this thread: the index and lock code is synchronous. */
export function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * How long a rename over a busy file is retried. Windows refuses to replace a file
 * another process holds open (a reader of the index, a virus scanner, an indexer),
 * where POSIX would not care; such holds last milliseconds. graceful-fs retries
 * for a minute; a credential helper that git waits on must answer sooner.
 */
export const BUSY_RETRY_MS = 4000;

/** Whether an error means "another process has this file open": only Windows answers so. */
export function isBusy(error: unknown, platform: NodeJS.Platform): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return platform === 'win32' && (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY');
}

/** `calls.rename`, retried with a growing pause (10, 20 … 100 ms) while Windows says the target is busy. */
export function renameWhileBusy(from: string, to: string, calls: FileCalls): void {
  const started = calls.now();
  for (let attempt = 1; ; attempt++) {
    try {
      calls.rename(from, to);
      return;
    } catch (error) {
      if (!isBusy(error, calls.platform) || calls.now() - started >= BUSY_RETRY_MS) throw error;
      calls.sleep(Math.min(10 * attempt, 100));
    }
  }
}
