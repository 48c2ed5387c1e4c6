// How long a rotated token lives: --days N, --expires DATE, or by default as long as
// the old one did (created to expiry), never beyond what the forge allows. Always a
// date: GitLab gives a token rotated without one a single week. Pure.
import { UsageError } from './errors.js';
import { formatDate, parseExpiryDate } from './expiry.js';

const DAY_S = 86_400;

export type LifetimeChoice = { readonly days: string } | { readonly date: string } | undefined;

export interface OldToken {
  /** Unix seconds, when the forge told. */
  readonly createdAt?: number | undefined;
  readonly expiresAt?: number | undefined;
}

/** Midnight UTC of the day a Unix-seconds time falls on. */
function dayStart(seconds: number): number {
  return Math.floor(seconds / DAY_S) * DAY_S;
}

/** The new token's expiry date (YYYY-MM-DD, UTC) and its lifetime in days from today. */
export function newExpiry(choice: LifetimeChoice, old: OldToken, maxDays: number, nowMs: number): { readonly expiresOn: string; readonly days: number } {
  const today = dayStart(Math.floor(nowMs / 1000));
  const days = chosenDays(choice, old, maxDays, today, nowMs);
  return { expiresOn: formatDate(today + days * DAY_S), days };
}

function chosenDays(choice: LifetimeChoice, old: OldToken, maxDays: number, today: number, nowMs: number): number {
  if (choice && 'days' in choice) {
    const days = /^\d{1,4}$/.test(choice.days) ? Number(choice.days) : Number.NaN;
    if (!(days >= 1 && days <= maxDays)) throw new UsageError(`--days takes a whole number of days from 1 to ${maxDays}, not ${JSON.stringify(choice.days)}`);
    return days;
  }
  if (choice && 'date' in choice) {
    const days = Math.round((parseExpiryDate(choice.date, nowMs) - today) / DAY_S);
    if (days > maxDays) throw new UsageError(`--expires ${choice.date} is more than ${maxDays} days ahead, which the forge does not allow`);
    return days;
  }
  if (old.createdAt === undefined || old.expiresAt === undefined) return maxDays;
  const lifetime = Math.round((old.expiresAt - dayStart(old.createdAt)) / DAY_S);
  return Math.min(Math.max(lifetime, 1), maxDays);
}
