// The pure rules of rotate: how long a new token lives, which stored tokens can rotate
// themselves (what the reminders say), and one lock file per credential.
import { describe, expect, it } from 'vitest';
import { canSelfRotate } from '../src/hosts/self-rotation.js';
import { newExpiry } from '../src/rotation-lifetime.js';
import { rotationLockPath } from '../src/rotation-lock.js';
import { judgeLock } from '../src/store/index-lock.js';

const NOW = Date.UTC(2026, 11, 7, 15, 30); // 2026-12-07 15:30 UTC
const DAY = 86_400;
const at = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 1000;

describe('newExpiry', () => {
  it('keeps the old lifetime, from the day it was made to its expiry date', () => {
    expect(newExpiry(undefined, { createdAt: at(2026, 9, 8) + 3600, expiresAt: at(2026, 12, 10) }, 365, NOW)).toEqual({ expiresOn: '2027-03-10', days: 93 });
  });
  it('caps at the most the forge allows, and gives that when the lifetime is unknown', () => {
    expect(newExpiry(undefined, { createdAt: at(2024, 1, 1), expiresAt: at(2026, 12, 10) }, 365, NOW)).toEqual({ expiresOn: '2027-12-07', days: 365 });
    expect(newExpiry(undefined, { createdAt: at(2026, 1, 1) }, 365, NOW)).toEqual({ expiresOn: '2027-12-07', days: 365 });
    expect(newExpiry(undefined, {}, 365, NOW).days).toBe(365);
  });
  it('never less than a day', () => {
    expect(newExpiry(undefined, { createdAt: at(2026, 12, 7), expiresAt: at(2026, 12, 7) }, 365, NOW)).toEqual({ expiresOn: '2026-12-08', days: 1 });
  });
  it('--days and --expires, within 1 to the maximum', () => {
    expect(newExpiry({ days: '30' }, {}, 365, NOW)).toEqual({ expiresOn: '2027-01-06', days: 30 });
    expect(newExpiry({ date: '2027-12-07' }, {}, 365, NOW)).toEqual({ expiresOn: '2027-12-07', days: 365 });
    for (const days of ['0', '366', '-1', '1.5', 'ten', '']) expect(() => newExpiry({ days }, {}, 365, NOW)).toThrow(/--days takes a whole number of days from 1 to 365/);
    expect(() => newExpiry({ date: '2027-12-08' }, {}, 365, NOW)).toThrow(/more than 365 days ahead/);
    expect(() => newExpiry({ date: '2026-12-07' }, {}, 365, NOW)).toThrow(/has already passed/);
    expect(() => newExpiry({ date: '2027-02-30' }, {}, 365, NOW)).toThrow(/YYYY-MM-DD/);
  });
  it('a date is always chosen: never left to the forge (GitLab: one week)', () => {
    expect(newExpiry(undefined, { createdAt: at(2026, 12, 1) + DAY, expiresAt: undefined }, 365, NOW).expiresOn).toBe('2027-12-07');
  });
});

describe('canSelfRotate', () => {
  it('GitLab with api or self_rotate, known from the index', () => {
    expect(canSelfRotate({ provider: 'gitlab', scopes: ['api'] })).toBe(true);
    expect(canSelfRotate({ provider: 'gitlab', scopes: ['read_repository', 'self_rotate'] })).toBe(true);
  });
  it('not without the scope, without knowing the scopes, or on another forge', () => {
    expect(canSelfRotate({ provider: 'gitlab', scopes: ['read_api', 'read_repository', 'write_repository'] })).toBe(false);
    expect(canSelfRotate({ provider: 'gitlab', scopes: null })).toBe(false);
    expect(canSelfRotate({ scopes: ['api'] })).toBe(false);
    expect(canSelfRotate(undefined)).toBe(false);
    expect(canSelfRotate({ provider: 'github', scopes: ['api'] })).toBe(false);
    expect(canSelfRotate({ provider: 'constructor', scopes: ['api'] })).toBe(false);
  });
});

describe('the rotation lock', () => {
  it('one file per credential, beside the index', () => {
    const env = { XDG_STATE_HOME: '/state', HOME: '/home/x' };
    const a = rotationLockPath(env, { protocol: 'https', host: 'gitlab.com' }, 'alice');
    expect(a).toMatch(/^\/state\/git-credential-pat\/rotate-[0-9a-f]{32}\.lock$/);
    expect(rotationLockPath(env, { protocol: 'https', host: 'gitlab.com' }, 'bob')).not.toBe(a);
    expect(rotationLockPath(env, { protocol: 'https', host: 'gitlab.example.com' }, 'alice')).not.toBe(a);
  });
  it('a live holder is waited for as long as its limit says', () => {
    const here = 'pid:[1]';
    const alive = () => true;
    expect(judgeLock({ pid: 5, namespace: here }, here, alive, 120_000)).toBe('break');
    expect(judgeLock({ pid: 5, namespace: here }, here, alive, 120_000, { holdMs: 900_000, staleMs: 900_000 })).toBe('wait');
    expect(judgeLock({ pid: 5, namespace: here }, here, () => false, 10, { holdMs: 900_000, staleMs: 900_000 })).toBe('break');
  });
});
