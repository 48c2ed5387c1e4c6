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
