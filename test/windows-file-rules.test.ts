// Windows' file rules, answered on Linux through the file-call seam: a rename over a
// file another process holds open, and the exclusive create of a name whose deleted
// copy is still open, fail there with EPERM/EACCES/EBUSY. (scripts/wine-check shows the real thing.)
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FileCalls, nodeFileCalls } from '../src/file-calls.js';
import { LockedFileError, rewriteUnderLock } from '../src/lock-file.js';
import { IndexFile, upsertRow, writeFileAtomic } from '../src/store/index-file.js';
import { acquireLock, STALE_LOCK_MS } from '../src/store/index-lock.js';

function refusal(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: operation refused`), { code });
}

/** Real calls, on a clock that advances only by the pauses taken, whose rename/open refuse `times` times first. */
function windowsLike(options: { platform?: NodeJS.Platform; renameRefusals?: string[]; openRefusals?: string[] }): FileCalls & { pauses: number[] } {
  const renames = [...(options.renameRefusals ?? [])];
  const opens = [...(options.openRefusals ?? [])];
  const pauses: number[] = [];
  let clock = 0;
  return {
    platform: options.platform ?? 'win32',
    pauses,
    rename(from, to) {
      const code = renames.shift();
      if (code) throw refusal(code);
      renameSync(from, to);
    },
    open(path, flags, mode) {
      const code = opens.shift();
      if (code) throw refusal(code);
      return openSync(path, flags, mode);
    },
    sleep(ms) {
      pauses.push(ms);
      clock += ms;
    },
    now: () => clock,
  };
}

const forever = (code: string) => Array.from({ length: 100_000 }, () => code);
const target = { protocol: 'https', host: 'example.com' };

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'gcp-winrules-'));
}

describe('a rename over a file another process holds open (Windows)', () => {
  for (const code of ['EPERM', 'EACCES', 'EBUSY']) {
    it(`is retried on ${code} with a back-off, and the write lands`, () => {
      const path = join(freshDir(), 'index.json');
      writeFileSync(path, 'old');
      const calls = windowsLike({ renameRefusals: [code, code, code, code] });
      writeFileAtomic(path, 'new', calls);
      expect(readFileSync(path, 'utf8')).toBe('new');
      expect(calls.pauses).toHaveLength(4);
      expect(calls.pauses[3]).toBeGreaterThan(calls.pauses[0]!);
    });
  }

  it('gives up after a few seconds, with the error, and leaves no temporary file behind', () => {
    const dir = freshDir();
    const path = join(dir, 'index.json');
    writeFileSync(path, 'old');
    const calls = windowsLike({ renameRefusals: forever('EPERM') });
    expect(() => writeFileAtomic(path, 'new', calls)).toThrowError(/EPERM/);
    const waited = calls.pauses.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThanOrEqual(2000);
    expect(waited).toBeLessThanOrEqual(10_000);
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['index.json']);
  });

  it('is not retried where these codes mean "not allowed" (Linux, macOS)', () => {
    const dir = freshDir();
    const path = join(dir, 'index.json');
    const calls = windowsLike({ platform: 'linux', renameRefusals: ['EPERM'] });
    expect(() => writeFileAtomic(path, 'new', calls)).toThrowError(/EPERM/);
    expect(calls.pauses).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is not retried for any other error', () => {
    const path = join(freshDir(), 'index.json');
    const calls = windowsLike({ renameRefusals: ['ENOSPC'] });
    expect(() => writeFileAtomic(path, 'new', calls)).toThrowError(/ENOSPC/);
    expect(calls.pauses).toEqual([]);
  });

  it('an index update (store, erase) lands through the retries', () => {
    const path = join(freshDir(), 'state', 'index.json');
    const index = new IndexFile(path, windowsLike({ renameRefusals: ['EPERM', 'EACCES', 'EBUSY'] }));
    index.update((rows) => upsertRow(rows, { target, username: 'a', storedAt: 1 }));
    expect(index.rows()).toEqual([{ target, username: 'a', storedAt: 1 }]);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("rewriting git's credential file retries its rename too", () => {
    const file = join(freshDir(), 'credentials');
    writeFileSync(file, 'a\nb\n');
    rewriteUnderLock(file, (text) => text.replace('a\n', ''), windowsLike({ renameRefusals: ['EPERM', 'EBUSY'] }));
    expect(readFileSync(file, 'utf8')).toBe('b\n');
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('a lock file whose deleted copy is still open (Windows) is held, not an error', () => {
  for (const code of ['EPERM', 'EACCES']) {
    it(`the index lock waits on ${code} and is then taken`, () => {
      const dir = freshDir();
      const lock = join(dir, 'index.json.lock');
      const calls = windowsLike({ openRefusals: [code, code, code] });
      const release = acquireLock(lock, calls);
      expect(existsSync(lock)).toBe(true);
      expect(calls.pauses).toHaveLength(3);
      release();
      expect(existsSync(lock)).toBe(false);
    });
  }

  it('the index lock reports a refusal that lasts longer than a stale lock would (a real permission problem), never hangs', () => {
    const lock = join(freshDir(), 'index.json.lock');
    const calls = windowsLike({ openRefusals: forever('EPERM') });
    expect(() => acquireLock(lock, calls)).toThrowError(/EPERM/);
    const waited = calls.pauses.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThan(STALE_LOCK_MS);
    expect(waited).toBeLessThan(STALE_LOCK_MS + 1000);
  });

  it("on Windows a released lock's name is freed by a rename first: a waiter reading it cannot keep it in place", () => {
    // Windows deletes a file that another process has open only when that handle
    // closes (under wine it even stays readable meanwhile), so twenty waiters reading
    // the lock in turn kept a plain unlink from ever freeing the name.
    const dir = freshDir();
    const lock = join(dir, 'index.json.lock');
    const renames: string[][] = [];
    const calls = windowsLike({});
    const release = acquireLock(lock, { ...calls, rename: (from, to) => (renames.push([from, to]), calls.rename(from, to)) });
    release();
    expect(renames).toHaveLength(1);
    expect(renames[0]![0]).toBe(lock);
    expect(renames[0]![1]).toMatch(/^.*index\.json\.lock\.[0-9a-z]+\.tmp$/);
    expect(readdirSync(dir)).toEqual([]);
    // And a lock the rename cannot move stays for the holder check, never fails the release.
    const again = acquireLock(lock, windowsLike({ renameRefusals: forever('EACCES') }));
    expect(() => again()).not.toThrow();
  });

  it('on Linux the same refusal is an error at once', () => {
    const lock = join(freshDir(), 'index.json.lock');
    const calls = windowsLike({ platform: 'linux', openRefusals: ['EACCES'] });
    expect(() => acquireLock(lock, calls)).toThrowError(/EACCES/);
    expect(calls.pauses).toEqual([]);
  });

  it("git's credential-file lock says another process is changing the file", () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'credentials');
    writeFileSync(file, 'a\n');
    expect(() => rewriteUnderLock(file, (t) => t, windowsLike({ openRefusals: ['EPERM'] }))).toThrowError(LockedFileError);
    expect(() => rewriteUnderLock(file, (t) => t, windowsLike({ platform: 'linux', openRefusals: ['EPERM'] }))).toThrowError(/cannot create .*EPERM/);
    expect(readFileSync(file, 'utf8')).toBe('a\n');
  });
});

it('the real calls are the default', () => {
  expect(nodeFileCalls.platform).toBe(process.platform);
});
