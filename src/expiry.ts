// The one place that decides what a token's expiry means: expired, expiring soon or
// fine, how many days are left, what to do about it, and how it is written in JSON.
// Used by get (the helper door), list, status, doctor and login. Pure.
import { UsageError } from './errors.js';

/** A token expiring within this many days gets a reminder (once a day, from get). */
export const EXPIRY_WARNING_DAYS = 7;

export type ExpiryState = 'none' | 'valid' | 'expiring' | 'expired';

/** Whole days from now until the expiry, rounded down (0 = expires within a day). */
export function daysLeft(expiresAt: number, nowMs: number): number {
  return Math.floor((expiresAt * 1000 - nowMs) / 86_400_000);
}

/** expiresAt is Unix seconds; undefined means the token does not expire (or nobody knows when). */
export function expiryState(expiresAt: number | undefined, nowMs: number): ExpiryState {
  if (expiresAt === undefined) return 'none';
  if (expiresAt * 1000 <= nowMs) return 'expired';
  return daysLeft(expiresAt, nowMs) < EXPIRY_WARNING_DAYS ? 'expiring' : 'valid';
}

/** YYYY-MM-DD in UTC: the one JSON form of an expiry (null when there is none). */
export function formatDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10);
}

export function expiryJson(expiresAt: number | undefined): string | null {
  return expiresAt === undefined ? null : formatDate(expiresAt);
}

/** "in 3 days", "within a day". */
function timeLeft(expiresAt: number, nowMs: number): string {
  const days = daysLeft(expiresAt, nowMs);
  return days === 0 ? 'within a day' : `in ${days} day${days === 1 ? '' : 's'}`;
}

/** For a person: "2026-12-31 (35 days left)", "2026-01-01 (expired)", "no expiry date". */
export function describeExpiry(expiresAt: number | undefined, nowMs: number): string {
  if (expiresAt === undefined) return 'no expiry date';
  if (expiresAt * 1000 <= nowMs) return `${formatDate(expiresAt)} (expired)`;
  const days = daysLeft(expiresAt, nowMs);
  return `${formatDate(expiresAt)} (${days === 0 ? 'less than a day' : `${days} day${days === 1 ? '' : 's'}`} left)`;
}

/**
 * What to do about an expired or expiring token on this host: rotate where the token
 * can renew itself (a GitLab token with the scope for it, src/hosts/self-rotation.ts)
 * and has not expired yet, else a new token by hand.
 */
export function renewAdvice(host: string, rotatable = false): string {
  return rotatable ? `run: git-credential-pat rotate --host ${host}` : `create a new one and run: git-credential-pat login --host ${host}`;
}

/** One line about an expired or expiring token, the same from get, doctor and status. */
export function expiryNotice(who: string, expiresAt: number, nowMs: number): string | undefined {
  const state = expiryState(expiresAt, nowMs);
  if (state === 'expired') return `${who} expired on ${formatDate(expiresAt)}`;
  if (state === 'expiring') return `${who} expires ${timeLeft(expiresAt, nowMs)} (${formatDate(expiresAt)})`;
  return undefined;
}

/**
 * `--expires YYYY-MM-DD`, the date a forge showed when the token was made: the token is
 * treated as dead from 00:00 UTC on that date (the earliest it could stop working), as
 * GitLab documents for its own. A past date, or no such day, is refused.
 */
export function parseExpiryDate(text: string, nowMs: number): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) {
    throw new UsageError(`--expires takes a date as YYYY-MM-DD, not ${JSON.stringify(text)}`);
  }
  if (ms <= nowMs) throw new UsageError(`--expires ${text} has already passed: that token no longer works`);
  return ms / 1000;
}
