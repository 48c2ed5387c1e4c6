// The helper door: git's get, store and erase over any CredentialStore.
// Every function returns what git should read; none writes to stdout or stderr.
import {
  answerPairs,
  lookupTargets,
  sameSecret,
  type Credential,
  type Query,
  type Secret,
  type Target,
} from './credential.js';
import { daysLeft, formatDate } from './github/expiration.js';
import type { CredentialStore } from './store/credential-store.js';

export interface Answer {
  readonly username: string;
  readonly secret: Secret;
}

export interface GetResult {
  readonly answer?: Answer;
  /** Short lines for the person at the terminal (stderr): expiring or expired tokens. */
  readonly notices: readonly string[];
}

export const EXPIRY_WARNING_DAYS = 7;

/**
 * The credential to give git, if any. A username in the request must match exactly
 * (never swap in another user); without one, a target with several accounts answers
 * with the most recently stored. An expired token is not handed out; one expiring
 * within a week is, with a reminder at most once a day.
 */
export async function get(store: CredentialStore, query: Query, nowMs = Date.now()): Promise<GetResult> {
  const found = await find(store, query);
  if (!found) return { notices: [] };
  const { target, username, secret } = found;
  const expiry = secret.passwordExpiryUtc;
  if (expiry === undefined) return { answer: { username, secret }, notices: [] };
  const who = `the token for ${username || '(no username)'} on ${target.host}`;
  if (expiry * 1000 <= nowMs) {
    return { notices: [`${who} expired on ${formatDate(expiry)}; ${renewAdvice(target)}`] };
  }
  const days = daysLeft(expiry, nowMs);
  if (days < EXPIRY_WARNING_DAYS && (await store.claimDailyWarning(target, username, nowMs))) {
    const when = days === 0 ? 'within a day' : `in ${days} day${days === 1 ? '' : 's'}`;
    return { answer: { username, secret }, notices: [`${who} expires ${when} (${formatDate(expiry)}); ${renewAdvice(target)}`] };
  }
  return { answer: { username, secret }, notices: [] };
}

function renewAdvice(target: Target): string {
  return `create a new one and run: git-credential-pat login --host ${target.host}`;
}

async function find(store: CredentialStore, query: Query): Promise<(Answer & { target: Target }) | undefined> {
  for (const target of lookupTargets(query.target)) {
    if (query.username !== undefined) {
      const secret = await store.read(target, query.username);
      if (secret) return { target, username: query.username, secret };
      continue;
    }
    const accounts = await store.accounts(target);
    if (accounts.length === 0) continue;
    const recent = accounts.length === 1 ? accounts[0]?.username : await store.mostRecent(target, accounts.map((a) => a.username));
    const chosen = accounts.find((a) => a.username === recent) ?? firstByName(accounts);
    if (chosen) return { target, ...chosen };
  }
  return undefined;
}

/**
 * Saves what git says worked. git stores after every success, so an unchanged
 * credential is not rewritten; the same token keeps what we know about it (expiry,
 * GitHub metadata), and a different token starts afresh.
 */
export async function store(store: CredentialStore, credential: Credential): Promise<void> {
  const { target, username, secret } = credential;
  const existing = await store.read(target, username);
  if (existing && existing.password === secret.password) {
    const merged: Secret = {
      password: secret.password,
      ...optional('passwordExpiryUtc', secret.passwordExpiryUtc ?? existing.passwordExpiryUtc),
      ...optional('oauthRefreshToken', secret.oauthRefreshToken ?? existing.oauthRefreshToken),
    };
    if (!sameSecret(existing, merged)) await store.write(target, username, merged, 'keep');
    return;
  }
  await store.write(target, username, secret, 'drop');
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * Forgets what git says was rejected: every match, absent attributes acting as
 * wildcards. With a password, only credentials holding that password go, so a
 * newer token survives an old failure.
 */
export async function erase(store: CredentialStore, query: Query): Promise<number> {
  let removed = 0;
  for (const target of await eraseTargets(store, query.target)) {
    const accounts =
      query.username === undefined
        ? await store.accounts(target)
        : await accountOf(store, target, query.username);
    for (const account of accounts) {
      if (query.password !== undefined && account.secret.password !== query.password) continue;
      if (await store.remove(target, account.username)) removed++;
    }
  }
  return removed;
}

/**
 * Without a path, erase reaches every path stored for the host; with one, it reaches
 * exactly what get would have answered from (that path, then the host-wide item).
 */
async function eraseTargets(store: CredentialStore, target: Target): Promise<Target[]> {
  if (target.path !== undefined) return lookupTargets(target);
  const known = await store.targetsFor(target.protocol, target.host);
  return known.some((t) => t.path === undefined) ? known : [target, ...known];
}

async function accountOf(store: CredentialStore, target: Target, username: string) {
  const secret = await store.read(target, username);
  return secret ? [{ username, secret }] : [];
}

function firstByName<T extends { username: string }>(accounts: readonly T[]): T | undefined {
  return [...accounts].sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0))[0];
}

export function formatAnswer(answer: Answer): Array<[string, string]> {
  return answerPairs(answer.username, answer.secret);
}
