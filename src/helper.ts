// The helper door: git's get, store and erase over any CredentialStore.
// Every function returns what git should read; none writes to stdout or stderr.
import {
  answerPairs,
  lookupTargets,
  sameSecret,
  sameTarget,
  serviceName,
  type Credential,
  type Query,
  type Secret,
  type Target,
} from './credential.js';
import { envToken, envTokens, envTokenVariables } from './env-fallback.js';
import { EXPIRY_WARNING_DAYS, expiryNotice, expiryState, formatDate, renewAdvice } from './expiry.js';
import { canSelfRotate } from './hosts/self-rotation.js';
import { KeychainUnavailableError, type CredentialStore } from './store/credential-store.js';
import { holdSecret, show, type Trace } from './trace.js';

export interface Answer {
  readonly username: string;
  readonly secret: Secret;
}

export interface GetResult {
  readonly answer?: Answer;
  /** Short lines for the person at the terminal (stderr): expiring or expired tokens. */
  readonly notices: readonly string[];
}

export interface HelperOptions {
  /** Absent when tracing is off: every trace call is `trace?.(...)`, so nothing is formatted. */
  readonly trace?: Trace | undefined;
  /** Where environment tokens come from: get may answer with one, store never saves one. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Whether git config turns the environment-token fallback on for a target; absent means off. */
  readonly envFallbackEnabled?: ((target: Target) => Promise<boolean>) | undefined;
}

/**
 * The credential to give git, if any. A username in the request must match exactly
 * (never swap in another user); without one, a target with several accounts answers
 * with the most recently stored. An expired token is not handed out; one expiring
 * within a week is, with a reminder at most once a day. When the keychain has nothing
 * usable (or cannot be reached), an environment token may answer (src/env-fallback.ts).
 */
export async function get(store: CredentialStore, query: Query, nowMs = Date.now(), options: HelperOptions = {}): Promise<GetResult> {
  const { trace } = options;
  let found: Awaited<ReturnType<typeof find>>;
  try {
    found = await find(store, query, trace);
  } catch (error) {
    if (!(error instanceof KeychainUnavailableError)) throw error;
    // No keychain at all is the usual state of a CI runner: that is what the fallback is for.
    trace?.('the keychain cannot be used; trying the environment');
    const answer = await fromEnvironment(query, options);
    if (answer) return { answer, notices: [] };
    throw error;
  }
  if (!found) return withFallback(query, options, []);
  const { target, username, secret } = found;
  if (trace) holdSecret(secret.password);
  const expiry = secret.passwordExpiryUtc;
  if (expiry === undefined) return { answer: { username, secret }, notices: [] };
  const notice = (rotatable = false) => `${expiryNotice(`the token for ${username || '(no username)'} on ${target.host}`, expiry, nowMs)}; ${renewAdvice(target.host, rotatable)}`;
  const state = expiryState(expiry, nowMs);
  if (state === 'expired') {
    trace?.(`the matching item expired on ${formatDate(expiry)}: not answered`);
    return withFallback(query, options, [notice()]);
  }
  if (state === 'expiring' && (await store.claimDailyWarning(target, username, nowMs))) {
    trace?.(`the token expires within ${EXPIRY_WARNING_DAYS} days: answered, with a reminder`);
    // Only now, once a day, is the index asked whether the token can rotate itself.
    return { answer: { username, secret }, notices: [notice(canSelfRotate(await store.metadata(target, username)))] };
  }
  return { answer: { username, secret }, notices: [] };
}

async function withFallback(query: Query, options: HelperOptions, notices: string[]): Promise<GetResult> {
  const answer = await fromEnvironment(query, options);
  return answer ? { answer, notices } : { notices };
}

/** Looks at git config only when a token is there to offer: spawning git costs milliseconds. */
async function fromEnvironment(query: Query, { env, envFallbackEnabled, trace }: HelperOptions): Promise<Answer | undefined> {
  if (!env || !envFallbackEnabled) return undefined;
  const offer = envToken(query.target, env, query.username);
  if (!offer) {
    const variables = envTokenVariables(query.target, env);
    trace?.(
      variables.length === 0
        ? "no environment token applies (only each forge's own hosts: github.com and $GH_HOST, gitlab.com, $GITLAB_HOST and GitLab CI's server, gitea.com and $GITEA_SERVER_URL)"
        : `no environment token: ${variables.join(' and ')} ${envTokens(query.target, env).length > 0 ? `hold none for username ${show(query.username ?? '')}` : 'are unset or empty'}`,
    );
    return undefined;
  }
  if (!(await envFallbackEnabled(query.target))) {
    trace?.(`${offer.source} is set, but the environment-token fallback is off: not answering`);
    return undefined;
  }
  if (query.username === undefined) {
    trace?.(`answering from ${offer.source} as ${offer.defaultUsername}`);
    return { username: offer.defaultUsername, secret: { password: offer.token } };
  }
  trace?.(`answering from ${offer.source} with the request's username ${show(query.username)}${offer.username === undefined ? ` (${offer.forge === 'GitLab' ? 'GitLab takes any username' : `${offer.forge} ignores the username`} of a token)` : ''}`);
  return { username: query.username, secret: { password: offer.token } };
}

async function find(store: CredentialStore, query: Query, trace: Trace | undefined): Promise<(Answer & { target: Target }) | undefined> {
  for (const target of lookupTargets(query.target)) {
    // Only ever inside trace?.(...): with tracing off nothing is formatted.
    const where = () => `${at(target)}${target.path === undefined && query.target.path !== undefined ? ' (host-wide, for a request with a path)' : ''}`;
    if (query.username !== undefined) {
      const secret = await store.read(target, query.username);
      if (secret) {
        trace?.(`matched ${where()} account=${show(query.username)}`);
        return { target, username: query.username, secret };
      }
      if (trace) await traceMiss(store, target, where(), query.username, trace);
      continue;
    }
    const accounts = await store.accounts(target);
    if (accounts.length === 0) {
      trace?.(`no item at ${where()}`);
      continue;
    }
    const recent = accounts.length === 1 ? accounts[0]?.username : await store.mostRecent(target, accounts.map((a) => a.username));
    const chosen = accounts.find((a) => a.username === recent) ?? firstByName(accounts);
    if (chosen) {
      trace?.(`matched ${where()} account=${show(chosen.username)}${accounts.length > 1 ? ` (the most recently stored of ${accounts.length})` : ''}`);
      return { target, ...chosen };
    }
  }
  trace?.('no keychain item matches');
  return undefined;
}

/** A target as the trace names it: its keychain service. */
function at(target: Target): string {
  return show(serviceName(target));
}

/** Tracing only: one more keychain call, to tell a username mismatch from an empty service. */
async function traceMiss(store: CredentialStore, target: Target, where: string, username: string, trace: Trace): Promise<void> {
  const others = await store.accounts(target, 'all');
  trace(
    others.length === 0
      ? `no item at ${where}`
      : `no item at ${where} for username ${show(username)}: username mismatch (it holds ${others.map((a) => show(a.username)).join(', ')})`,
  );
}

/**
 * Saves what git says worked. git stores after every success, so an unchanged
 * credential is not rewritten; the same token keeps what we know about it (expiry,
 * GitHub metadata), and a different token starts afresh. An environment token is
 * never saved, enabled fallback or not (another helper, gh's, may have answered with
 * it): it belongs to that environment and must not outlive it in the keychain.
 *
 * Paths (credential.useHttpPath): a request with a path that the host-wide item
 * answered comes back as a store with that path; saving it would fork a copy that
 * keeps the old token after the host-wide one is rotated. So a store whose path has
 * no item of its own, and whose password the host-wide item already holds, is the
 * host-wide credential, not a new one. And a host-wide store that replaces a
 * password also replaces it in the path items that were copies of it.
 */
export async function store(store: CredentialStore, credential: Credential, options: HelperOptions = {}): Promise<void> {
  const { trace } = options;
  const { target, username, secret } = credential;
  const fromEnv = options.env && envTokens(target, options.env).find((t) => t.token === secret.password);
  if (fromEnv) {
    trace?.(`the password is ${fromEnv.source}'s: not saved to the keychain`);
    return;
  }
  let existing = await store.read(target, username);
  let into = target;
  if (!existing && target.path !== undefined) {
    const hostWide: Target = { protocol: target.protocol, host: target.host };
    const shared = await store.read(hostWide, username);
    if (shared && shared.password === secret.password) {
      trace?.(`${show(serviceName(target))} has no item, and the host-wide item holds this password: no path copy`);
      existing = shared;
      into = hostWide;
    }
  }
  const where = () => `${at(into)} account=${show(username)}`;
  if (existing && existing.password === secret.password) {
    const merged: Secret = {
      password: secret.password,
      ...optional('passwordExpiryUtc', secret.passwordExpiryUtc ?? existing.passwordExpiryUtc),
      ...optional('oauthRefreshToken', secret.oauthRefreshToken ?? existing.oauthRefreshToken),
    };
    if (sameSecret(existing, merged)) {
      trace?.(`${where()} already holds this credential: unchanged`);
      return;
    }
    trace?.(`${where()}: same password, new expiry or refresh token`);
    await store.write(into, username, merged, 'keep');
    return;
  }
  trace?.(existing ? `${where()}: replacing the password (what was known about the old token is dropped)` : `${where()}: new item`);
  await store.write(target, username, secret, 'drop');
  if (existing && target.path === undefined) await replaceCopies(store, target, username, existing.password, secret, trace);
}

/** Path items of this user that held the host-wide item's old password were copies of it: they take the new one. */
async function replaceCopies(store: CredentialStore, hostWide: Target, username: string, oldPassword: string, secret: Secret, trace: Trace | undefined): Promise<void> {
  for (const target of await store.targetsFor(hostWide.protocol, hostWide.host)) {
    if (target.path === undefined) continue;
    const copy = await store.read(target, username);
    if (copy?.password !== oldPassword) continue;
    trace?.(`${at(target)} account=${show(username)} held the old host-wide password: replaced too`);
    await store.write(target, username, secret, 'drop');
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * Forgets what git says was rejected: every match, absent attributes acting as
 * wildcards. With a password, only credentials holding that password go, so a
 * newer token survives an old failure; and that dead password goes from every item
 * of the host that holds it, host-wide and path items alike. Without a password, a
 * request naming a path forgets only that path's items (git's own store helper does
 * the same): forgetting one repository must not forget the host. Only the keychain
 * is touched, never the environment.
 */
export async function erase(store: CredentialStore, query: Query, options: HelperOptions = {}): Promise<number> {
  const { trace } = options;
  const fromEnv = query.password !== undefined && options.env ? envTokens(query.target, options.env).find((t) => t.token === query.password) : undefined;
  if (fromEnv) trace?.(`the password is ${fromEnv.source}'s: only keychain items holding it are erased`);
  try {
    let removed = 0;
    for (const target of await eraseTargets(store, query)) {
      const accounts =
        query.username === undefined
          ? await store.accounts(target, 'all')
          : await accountOf(store, target, query.username);
      for (const account of accounts) {
        const where = () => `${at(target)} account=${show(account.username)}`;
        if (query.password !== undefined && account.secret.password !== query.password) {
          trace?.(`kept ${where()}: it holds another password`);
          continue;
        }
        if (await store.remove(target, account.username)) {
          removed++;
          trace?.(`erased ${where()}`);
        }
      }
    }
    trace?.(`erased ${removed} item${removed === 1 ? '' : 's'}`);
    return removed;
  } catch (error) {
    // We never store environment tokens, so without a keychain there is nothing to
    // erase, and a CI log need not say the keychain is missing.
    if (fromEnv && error instanceof KeychainUnavailableError) {
      trace?.(`keychain unavailable: nothing of ${fromEnv.source}'s to erase`);
      return 0;
    }
    throw error;
  }
}

/**
 * Without a path, or with a password (a dead token is dead everywhere), erase reaches
 * every item of the host; with a path and no password, exactly that path.
 */
async function eraseTargets(store: CredentialStore, query: Query): Promise<Target[]> {
  const { target } = query;
  if (target.path !== undefined && query.password === undefined) return [target];
  const hostWide: Target = { protocol: target.protocol, host: target.host };
  const known = await store.targetsFor(target.protocol, target.host);
  const all = [hostWide, ...(target.path === undefined ? [] : [target]), ...known];
  return all.filter((t, i) => all.findIndex((u) => sameTarget(u, t)) === i);
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
