// Rotating one stored token through its forge's API (GitLab), so that no failure at any
// step loses the person's access. The danger is one moment: the forge revokes the old
// token as it answers, so from then on the new token exists only in this process. So:
// everything that can fail without the forge is tried first (the keychain takes a write
// of the current token, the token is alive, its scopes allow it); the rotation request
// is sent once and never retried; its answer goes to the keychain before anything else
// (retried, read back); and if the keychain still refuses, the token goes to the one
// safe place left, the terminal, or stdout under --json. Never stderr, a log or a file.
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { Secret } from './credential.js';
import type { CommandContext } from './commands/context.js';
import { expiryJson, expiryState, formatDate } from './expiry.js';
import { tokenCheckFor } from './hosts/check.js';
import type { HostProvider, Rotation, SelfRotation, TokenCheck, Validation } from './hosts/provider.js';
import { newExpiry, type LifetimeChoice } from './rotation-lifetime.js';
import { lockForRotation } from './rotation-lock.js';
import type { StoredCredential, TokenMetadata } from './store/credential-store.js';
import type { Terminal } from './terminal.js';
import { holdSecret } from './trace.js';

/** Where a new token goes if the keychain will not take it. */
export type Rescue = { readonly to: 'terminal'; readonly terminal: Terminal } | { readonly to: 'stdout' };

export type RotationResult =
  /** Rotated and stored; `verified` says whether the forge confirmed the new token. */
  | 'rotated'
  /** Nothing to do: another rotate replaced the token first, or it is no longer expiring. */
  | 'unchanged'
  /** Not rotated; the stored token is as it was (and `detail` says whether it still works). */
  | 'failed'
  /** Rotated, but the keychain refused the new token: it was handed to the person instead. */
  | 'not-stored';

export interface RotationReport {
  readonly provider: string;
  readonly host: string;
  readonly username: string;
  readonly result: RotationResult;
  /** The stored token's expiry (the new one's after a rotation), YYYY-MM-DD. */
  readonly expires: string | null;
  readonly scopes: readonly string[] | null;
  readonly verified: boolean;
  readonly detail: string;
  /** The new token, only when the keychain refused it and stdout (--json, no terminal) is where it goes. */
  readonly token?: string;
}

type Services = Pick<CommandContext, 'env' | 'git' | 'now' | 'store' | 'err'>;

export interface RotationOptions {
  readonly lifetime: LifetimeChoice;
  /** undefined: there is nowhere safe for a new token the keychain refuses, so nothing is rotated. */
  readonly rescue: Rescue | undefined;
  /** rotate --expiring: skip a token that (after waiting for the lock) no longer expires soon. */
  readonly onlyIfExpiring?: boolean;
}

/** Attempts at the keychain write of a new token, with the pauses between them. */
const WRITE_PAUSES_MS = [0, 250, 1000, 3000];

export async function rotateStored(context: Services, stored: StoredCredential, provider: HostProvider, options: RotationOptions): Promise<RotationReport> {
  const { target, username } = stored;
  const host = target.host;
  const base = { provider: provider.id, host, username, expires: expiryJson(stored.metadata?.expiresAt ?? stored.secret.passwordExpiryUtc), scopes: stored.metadata?.scopes ?? null, verified: false };
  const failed = (detail: string): RotationReport => ({ ...base, result: 'failed', detail });
  const rotation = provider.selfRotation;
  if (!rotation) return failed(noSelfRotation(provider, host));
  const knownScopes = stored.metadata?.scopes;
  if (knownScopes && !allows(rotation, knownScopes)) return failed(missingScope(provider, rotation, knownScopes, host));
  if (!options.rescue) {
    return failed(
      'not rotated: there is no terminal here to hand the new token to, should the keychain refuse it once the old one is revoked; run rotate on a terminal, or with --json (stdout then carries it)',
    );
  }

  const release = await lockForRotation(context.env, target, username, () => context.err(`waiting for another rotate of the token for ${username} on ${host}...\n`));
  try {
    // What is stored now, under the lock: another rotate may have replaced it meanwhile.
    const current = await context.store().read(target, username);
    if (!current) return failed(`the token for ${username} on ${host} is no longer stored`);
    holdSecret(current.password);
    if (current.password !== stored.secret.password) return { ...base, result: 'unchanged', detail: 'the stored token changed meanwhile (another rotate replaced it): nothing to do' };
    const metadata = await context.store().metadata(target, username);
    if (options.onlyIfExpiring && expiryState(metadata?.expiresAt ?? current.passwordExpiryUtc, context.now()) !== 'expiring') {
      return { ...base, result: 'unchanged', detail: 'no longer expiring soon: nothing to do' };
    }

    const oldCheck = await tokenCheckFor(context, provider, host, current.password, metadata?.account);
    const before = await provider.validate!(oldCheck);
    if (before.state !== 'valid') return failed(`${oldTokenState(provider, before, host)}; it was not rotated`);
    if (before.scopes && !allows(rotation, before.scopes)) return failed(missingScope(provider, rotation, before.scopes, host));

    const { expiresOn, days } = newExpiry(options.lifetime, before, rotation.maxDays, context.now());
    // A keychain that refuses writes must do so now, while the old token still works.
    const ready = await writeAndReadBack(context, stored, current, 'keep', [0]);
    if (ready !== undefined) return failed(`the keychain did not take a write (${ready}); nothing was rotated, the stored token is unchanged`);

    // From the request until the new token is stored or shown, Ctrl-C or a closed
    // terminal must not end the process: that would lose the token. Every step is bounded.
    const unguard = holdSignals();
    try {
      const answer = await rotation.rotate(oldCheck, expiresOn);
      if (answer.outcome !== 'rotated') return failed(await notRotated(provider, answer, oldCheck, host, days));
      return await keep(context, stored, provider, options.rescue, base, metadata, before, answer, days);
    } finally {
      unguard();
    }
  } finally {
    release();
  }
}

/** The new token: into the keychain first, else to the person; then checked with the forge. */
async function keep(
  context: Services,
  stored: StoredCredential,
  provider: HostProvider,
  to: Rescue,
  base: Omit<RotationReport, 'result' | 'detail'>,
  metadata: TokenMetadata | undefined,
  before: Extract<Validation, { state: 'valid' }>,
  answer: Extract<Rotation, { outcome: 'rotated' }>,
  days: number,
): Promise<RotationReport> {
  const { host } = stored.target;
  const { username } = stored;
  // From here the new token exists nowhere else: the keychain first, then everything else.
  holdSecret(answer.token);
  const secret: Secret = { password: answer.token, ...(answer.expiresAt === undefined ? {} : { passwordExpiryUtc: answer.expiresAt }) };
  const newMetadata: TokenMetadata = {
    ...(metadata ?? {}),
    provider: provider.id,
    login: metadata?.login ?? before.login ?? username,
    scopes: answer.scopes ?? before.scopes,
    ...(answer.expiresAt === undefined ? {} : { expiresAt: answer.expiresAt }),
  };
  const refused = await writeAndReadBack(context, stored, secret, newMetadata, WRITE_PAUSES_MS);
  const rotated = { ...base, expires: expiryJson(answer.expiresAt), scopes: newMetadata.scopes };
  if (refused !== undefined) return rescue(to, rotated, answer.token, provider, refused);
  try {
    return { ...rotated, ...(await confirm(context, stored, provider, secret, newMetadata, host, days)) };
  } catch (error) {
    // The new token is in the keychain already: whatever failed after that loses nothing.
    const why = firstLine(error, 'unexpected error');
    return { ...rotated, result: 'rotated', verified: false, detail: `the new token is stored in your keychain in place of the old one, but checking it failed (${why}); run: git-credential-pat status --host ${host}` };
  }
}

const GUARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Keeps the process alive through these signals until the returned function is called. */
function holdSignals(): () => void {
  const ignore = () => {};
  for (const signal of GUARDED_SIGNALS) process.on(signal, ignore);
  return () => {
    for (const signal of GUARDED_SIGNALS) process.off(signal, ignore);
  };
}

function allows(rotation: SelfRotation, scopes: readonly string[]): boolean {
  return scopes.some((scope) => rotation.scopes.includes(scope));
}

export function tokenPageUrl(provider: HostProvider, host: string): string {
  return provider.tokenPage(host, hostname())?.url ?? `https://${host}`;
}

function renewByHand(provider: HostProvider, host: string): string {
  return `create a new token at ${tokenPageUrl(provider, host)} and run: git-credential-pat login --host ${host}`;
}

export function noSelfRotation(provider: HostProvider, host: string): string {
  return `${provider.label} has no API for a token to rotate itself; ${renewByHand(provider, host)}`;
}

function missingScope(provider: HostProvider, rotation: SelfRotation, scopes: readonly string[], host: string): string {
  const has = scopes.length === 0 ? 'no scopes' : `only ${scopes.join(', ')}`;
  return `the token has ${has}: ${provider.label} lets a token rotate itself only with ${rotation.scopes.join(' or ')}; nothing was sent. To renew it, ${renewByHand(provider, host)} (add ${rotation.scopes.at(-1)} to rotate it next time)`;
}

function oldTokenState(provider: HostProvider, validation: Exclude<Validation, { state: 'valid' }>, host: string): string {
  if (validation.state === 'revoked') {
    return `${provider.label} rejects the stored token (401): it expired, was revoked, or was already rotated elsewhere (another machine or script with a copy); ${renewByHand(provider, host)}`;
  }
  return `the stored token could not be checked: ${validation.message}`;
}

async function notRotated(provider: HostProvider, answer: Exclude<Awaited<ReturnType<SelfRotation['rotate']>>, { outcome: 'rotated' }>, check: TokenCheck, host: string, days: number): Promise<string> {
  const label = provider.label;
  switch (answer.outcome) {
    case 'rejected':
      return `${label} refused to rotate the token (401): it was most likely rotated already elsewhere (another machine or script with a copy of it), and rotating a rotated token makes ${label} revoke the whole token family, the newest token too. The stored token was left as it was; ${renewByHand(provider, host)}`;
    case 'forbidden':
      return `${label} did not rotate the token (${answer.message}): it needs the ${provider.selfRotation!.scopes.join(' or ')} scope; the stored token is unchanged and still works`;
    case 'refused': {
      const hint = days > 7 ? ` (if the server allows shorter lifetimes than ${days} days, try --days N)` : '';
      if (answer.status < 500) return `${label} did not rotate the token (${answer.message}); the stored token is unchanged and still works${hint}`;
      // A server error may come from half-way through: the old token says whether it still works.
      const after = await provider.validate!(check);
      if (after.state === 'revoked') return `${label} failed (${answer.message}) and the stored token is now rejected: ${renewByHand(provider, host)}`;
      return `${label} did not rotate the token (${answer.message}); the stored token is unchanged${after.state === 'valid' ? ' and still works' : ''}: try again later`;
    }
    case 'lost':
      return `${answer.message}: ${label} rotated the token, which revokes the old one, but the new token never arrived whole. The stored token no longer works; ${renewByHand(provider, host)}`;
    case 'unusable':
      return `${answer.message}; nothing was sent`;
    case 'unknown': {
      // No answer: the request may have reached the forge or not. The old token says which.
      const after = await provider.validate!(check);
      if (after.state === 'revoked') {
        return `${answer.message}, and the stored token is now rejected: ${label} rotated it but its answer with the new token never came. ${renewByHand(provider, host)}`;
      }
      return `${answer.message}; ${after.state === 'valid' ? 'the stored token still works and is unchanged' : 'the stored token is unchanged'}: try again later`;
    }
  }
}

/**
 * Writes the secret in place and reads it back; undefined when the keychain holds it,
 * else why not. For a new token the read-back decides, not the write's own answer: a
 * write that reached the keychain and then failed (at the index, or a reply lost) has
 * kept it. Writing back the token already there (the check before rotating) must succeed.
 */
async function writeAndReadBack(context: Services, stored: StoredCredential, secret: Secret, metadata: TokenMetadata | 'keep', pauses: readonly number[]): Promise<string | undefined> {
  let why = 'it did not keep the token';
  for (const pause of pauses) {
    if (pause > 0) await delay(pause);
    let wrote = true;
    try {
      await context.store().replace(stored.target, stored.username, secret, metadata);
    } catch (error) {
      wrote = false;
      why = firstLine(error, 'the keychain failed');
    }
    try {
      const back = await context.store().read(stored.target, stored.username);
      // Reading back the token that was there proves nothing about a write that failed.
      const proves = wrote || secret.password !== stored.secret.password;
      if (proves && back?.password === secret.password) return undefined;
      if (wrote) why = 'reading it back gave another token';
    } catch (error) {
      why = firstLine(error, 'the keychain failed');
    }
  }
  return why;
}

function firstLine(error: unknown, otherwise: string): string {
  return error instanceof Error && error.message ? error.message.split('\n')[0]! : otherwise;
}

function rescue(to: Rescue, rotated: Omit<RotationReport, 'result' | 'detail'>, token: string, provider: HostProvider, why: string): RotationReport {
  const { host, username } = rotated;
  const dead = `${provider.label} rotated the token for ${username} on ${host}: the old token is already revoked, and the keychain refused the new one (${why})`;
  if (to.to === 'terminal') {
    const shown = to.terminal.reveal(
      `\n${dead}.\nThis is the new token, its only copy. Store it now (git-credential-pat login --host ${host} --username ${username}, and paste it), or keep it in your password manager:\n\n  ${token}\n\n`,
    );
    if (shown) return { ...rotated, result: 'not-stored', detail: `${dead}; the new token was shown on the terminal only` };
    return { ...rotated, result: 'not-stored', detail: `${dead}; and the terminal could not be written to: the new token is lost. ${renewByHand(provider, host)}` };
  }
  return { ...rotated, result: 'not-stored', detail: `${dead}; the new token is in this output's "token" field, its only copy: store it now (git-credential-pat login --host ${host} --username ${username} --with-token)`, token };
}

/** Asks the forge about the new token (stored by now) and records what it says. */
async function confirm(
  context: Services,
  stored: StoredCredential,
  provider: HostProvider,
  secret: Secret,
  metadata: TokenMetadata,
  host: string,
  days: number,
): Promise<Pick<RotationReport, 'result' | 'verified' | 'detail' | 'expires' | 'scopes'>> {
  const stays = `stored in your keychain in place of the old one, which ${provider.label} has revoked`;
  const after = await provider.validate!(await tokenCheckFor(context, provider, host, secret.password, metadata.account));
  if (after.state === 'revoked') {
    return {
      result: 'rotated',
      verified: false,
      expires: expiryJson(metadata.expiresAt),
      scopes: metadata.scopes,
      detail: `the new token is ${stays}, but ${provider.label} already rejects it (401): its token family was revoked, most likely because the old token was rotated again elsewhere (another machine with a copy). ${renewByHand(provider, host)}`,
    };
  }
  if (after.state !== 'valid') {
    return {
      result: 'rotated',
      verified: false,
      expires: expiryJson(metadata.expiresAt),
      scopes: metadata.scopes,
      detail: `the new token is ${stays}, but it could not be checked (${after.message}); run: git-credential-pat status --host ${host}`,
    };
  }
  const expiresAt = after.expiresAt ?? metadata.expiresAt;
  const confirmed: TokenMetadata = {
    ...metadata,
    login: after.login ?? metadata.login,
    scopes: after.scopes,
    ...(expiresAt === undefined ? {} : { expiresAt }),
    lastValidated: context.now(),
  };
  if (expiresAt !== secret.passwordExpiryUtc) {
    const { passwordExpiryUtc: _old, ...rest } = secret;
    await context.store().replace(stored.target, stored.username, { ...rest, ...(expiresAt === undefined ? {} : { passwordExpiryUtc: expiresAt }) }, confirmed);
  } else {
    await context.store().setMetadata(stored.target, stored.username, confirmed);
  }
  const until = expiresAt === undefined ? 'with no expiry date' : `until ${formatDate(expiresAt)}${days > 0 ? ` (${days} day${days === 1 ? '' : 's'})` : ''}`;
  return { result: 'rotated', verified: true, expires: expiryJson(expiresAt), scopes: after.scopes, detail: `the new token works ${until}, ${stays}` };
}
