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
import type { CredentialStore } from './store/credential-store.js';

export interface Answer {
  readonly username: string;
  readonly secret: Secret;
}

/**
 * The credential to give git, or undefined. A username in the request must match
 * exactly (never swap in another user); without one, a target with several accounts
 * answers with the most recently stored.
 */
export async function get(store: CredentialStore, query: Query): Promise<Answer | undefined> {
  for (const target of lookupTargets(query.target)) {
    if (query.username !== undefined) {
      const secret = await store.read(target, query.username);
      if (secret) return { username: query.username, secret };
      continue;
    }
    const accounts = await store.accounts(target);
    if (accounts.length === 0) continue;
    if (accounts.length === 1) return accounts[0];
    const recent = await store.mostRecent(target, accounts.map((a) => a.username));
    return accounts.find((a) => a.username === recent) ?? firstByName(accounts);
  }
  return undefined;
}

/** Saves what git says worked. An unchanged credential is not rewritten (git stores after every success). */
export async function store(store: CredentialStore, credential: Credential): Promise<void> {
  const existing = await store.read(credential.target, credential.username);
  if (existing && sameSecret(existing, credential.secret)) return;
  await store.write(credential.target, credential.username, credential.secret);
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
