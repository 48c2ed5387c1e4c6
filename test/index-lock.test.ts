// The index lock is judged by asking the kernel about its holder, not by its age alone.
import { describe, expect, it } from 'vitest';
import { judgeLock, parseHolder, STALE_LOCK_MS } from '../src/store/index-lock.js';

describe('the index lock: waited for while its holder lives', () => {
  const here = 'pid:[1]';
  const alive = (pid: number) => pid === 7;

  it('a live holder in our PID namespace is waited for, however old its lock', () => {
    expect(judgeLock({ pid: 7, namespace: here }, here, alive, 0)).toBe('wait');
    expect(judgeLock({ pid: 7, namespace: here }, here, alive, 3_600_000)).toBe('wait');
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
    expect(parseHolder('123 \n')).toEqual({ pid: 123, namespace: '' });
    expect(parseHolder('')).toBeUndefined();
    expect(parseHolder('0 x\n')).toBeUndefined();
    expect(parseHolder('12a x\n')).toBeUndefined();
  });
});
