// The index lock is judged by asking the kernel about its holder, not by its age alone.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOLD_LIMIT_MS, judgeLock, parseHolder, STALE_LOCK_MS } from '../src/store/index-lock.js';
import { request, runHelper, testHome, uniqueHost } from './support/helper-process.js';

describe('the index lock: waited for while its holder lives', () => {
  const here = 'pid:[1]';
  const alive = (pid: number) => pid === 7;

  it('a live holder in our PID namespace is waited for, however long the queue, up to the hold limit', () => {
    expect(judgeLock({ pid: 7, namespace: here }, here, alive, 0)).toBe('wait');
    expect(judgeLock({ pid: 7, namespace: here }, here, alive, STALE_LOCK_MS + 1)).toBe('wait');
    expect(judgeLock({ pid: 7, namespace: here }, here, alive, HOLD_LIMIT_MS)).toBe('wait');
  });

  it('a lock older than the hold limit is broken even when its PID lives (reused after a crash): it must not fail every later store', () => {
    expect(judgeLock({ pid: 7, namespace: here }, here, alive, HOLD_LIMIT_MS + 1)).toBe('break');
  });

  it('a dead holder is broken at once, however young its lock', () => {
    expect(judgeLock({ pid: 8, namespace: here }, here, alive, 0)).toBe('break');
  });

  it('a holder we cannot check (another namespace, an older empty lock) falls back to the age of the lock', () => {
    expect(judgeLock({ pid: 8, namespace: 'pid:[2]' }, here, alive, 1000)).toBe('wait');
    expect(judgeLock({ pid: 8, namespace: 'pid:[2]' }, here, alive, STALE_LOCK_MS + 1)).toBe('break');
    expect(judgeLock(undefined, here, alive, 1000)).toBe('wait');
    expect(judgeLock(undefined, here, alive, STALE_LOCK_MS + 1)).toBe('break');
  });

  it('parses what acquireLock writes, and nothing else', () => {
    expect(parseHolder('123 pid:[4026531836]\n')).toEqual({ pid: 123, namespace: 'pid:[4026531836]' });
    // With the token that makes each lock's text its own (issue 21, item 7).
    expect(parseHolder('123 pid:[4026531836] k3x9q0z1ab\n')).toEqual({ pid: 123, namespace: 'pid:[4026531836]' });
    expect(parseHolder('123 \n')).toEqual({ pid: 123, namespace: '' });
    expect(parseHolder('')).toBeUndefined();
    expect(parseHolder('0 x\n')).toBeUndefined();
    expect(parseHolder('12a x\n')).toBeUndefined();
  });
});

describe('a lock left behind never fails a store (the real helper, the real keychain)', () => {
  const env = testHome();
  const lockPath = join(env.XDG_STATE_HOME!, 'git-credential-pat', 'index.json.lock');
  const namespace = readlinkSync('/proc/self/ns/pid');

  function leaveLock(holder: string, ageMs: number): void {
    mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
    writeFileSync(lockPath, holder, { mode: 0o600 });
    const then = new Date(Date.now() - ageMs);
    utimesSync(lockPath, then, then);
  }

  async function storeAndGet(): Promise<void> {
    const host = uniqueHost('lock');
    const stored = await runHelper(['store'], request({ protocol: 'https', host, username: 'alice', password: 'ghp_locktest' }), env);
    expect(stored).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(lockPath)).toBe(false);
    const got = await runHelper(['get'], request({ protocol: 'https', host }), env);
    expect(got.stdout).toBe('username=alice\npassword=ghp_locktest\n');
  }

  it('a fresh lock whose holder has exited is broken at once', async () => {
    const dead = spawnSync('true');
    leaveLock(`${dead.pid} ${namespace}\n`, 0);
    await storeAndGet();
  });

  it('a lock older than the hold limit whose PID is alive again (reused after a crash) is broken', async () => {
    // PID 1 of our namespace always lives: the reused PID.
    leaveLock(`1 ${namespace}\n`, HOLD_LIMIT_MS + 5000);
    await storeAndGet();
  });
});
