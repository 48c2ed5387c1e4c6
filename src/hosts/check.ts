// Asking a forge about a token, for every command that does: login, the guide, import
// (a new token) and status, doctor --online (a stored one). Which API root is used is
// decided here, once.
import type { Secret } from '../credential.js';
import type { CommandContext } from '../commands/context.js';
import { UsageError } from '../errors.js';
import { shownName } from '../shown-text.js';
import { holdSecret } from '../trace.js';
import { describeExpiry, expiryJson, expiryState, renewAdvice } from '../expiry.js';
import type { StoredCredential, TokenMetadata } from '../store/credential-store.js';
import { plausibleAccount } from './account-name.js';
import { ApiUrlError, checkedApiUrl } from './api-url.js';
import { providerOfStored } from './choose.js';
import { canSelfRotate } from './self-rotation.js';
import { hostSetting } from './host-settings.js';
import type { HostProvider, TokenCheck, Validation } from './provider.js';
import { ENV_API_TIMEOUT, ENV_API_URL, PAT_API_URL } from '../setting-names.js';

type Services = Pick<CommandContext, 'env' | 'git' | 'now'>;

const API_URL_SETTING = PAT_API_URL;

/** GIT_CREDENTIAL_PAT_API_TIMEOUT_MS overrides it, for slow proxies (and tests). */
function apiTimeoutMs(env: NodeJS.ProcessEnv): number {
  const value = Number(env[ENV_API_TIMEOUT]);
  return Number.isInteger(value) && value > 0 ? value : 10_000;
}

/** An API URL set for exactly this host: GIT_CREDENTIAL_PAT_API_URL when login named it, else git config. */
export async function configuredApiUrl(context: Pick<CommandContext, 'env' | 'git'>, host: string, named = false): Promise<string | undefined> {
  const fromEnv = context.env[ENV_API_URL];
  if (fromEnv && !named) {
    throw new ApiUrlError(
      `GIT_CREDENTIAL_PAT_API_URL serves only the host named by login --host, not ${host}; for every command, set git config --global credential.https://${host}.patApiUrl URL`,
    );
  }
  if (fromEnv) return checkedApiUrl(fromEnv);
  const configured = hostSetting(await context.git.entries(`^credential\\..*${API_URL_SETTING.toLowerCase()}$`), API_URL_SETTING, host);
  return configured === undefined ? undefined : checkedApiUrl(configured);
}

/**
 * The REST API for a host: GIT_CREDENTIAL_PAT_API_URL only for the host `login --host`
 * named (`named`), then git's credential.https://HOST.patApiUrl for exactly this host,
 * then the forge's own rule for the host. Never one URL for every host's token: the
 * variable set anywhere else is refused, not ignored, so nobody's token goes to a
 * forge's real API when they meant another.
 */
async function apiBaseFor(context: Pick<CommandContext, 'env' | 'git'>, provider: HostProvider, host: string, named = false): Promise<string> {
  const url = (await configuredApiUrl(context, host, named)) ?? provider.apiBase(host);
  if (url === undefined) throw new ApiUrlError(`${provider.label} on ${host} has no API address of its own; set it: git config --global credential.https://${host}.${API_URL_SETTING} URL`);
  return url;
}

/**
 * After `login --host HOST` stored a token: GIT_CREDENTIAL_PAT_API_URL served that one
 * named host, so record it for that host alone (credential.https://HOST.patApiUrl),
 * and status, doctor and import later ask the same API for that host's token only.
 */
export async function rememberApiUrl(context: Pick<CommandContext, 'env' | 'git'>, host: string): Promise<void> {
  const fromEnv = context.env[ENV_API_URL];
  if (fromEnv) await context.git.setGlobal(`credential.https://${host}.${API_URL_SETTING}`, checkedApiUrl(fromEnv));
}

/** What a provider's API call needs for one token of a stored credential's host: the API root decided here, as for status. */
export async function tokenCheckFor(context: Pick<CommandContext, 'env' | 'git'>, provider: HostProvider, host: string, token: string, account?: string): Promise<TokenCheck> {
  holdSecret(token);
  return { token, apiBase: await apiBaseFor(context, provider, host), timeoutMs: apiTimeoutMs(context.env), ...(account === undefined ? {} : { account }) };
}

export interface NewToken {
  readonly host: string;
  readonly token: string;
  readonly provider: HostProvider;
  /** The person named this host on `login --host`, so GIT_CREDENTIAL_PAT_API_URL may serve it. */
  readonly named?: boolean;
  /** --username, for forges whose API wants an account with the token (Bitbucket). */
  readonly account?: string | undefined;
}

export type Checked =
  | { readonly ok: true; readonly login: string | undefined; readonly metadata: Omit<TokenMetadata, 'login'>; readonly secret: Secret }
  | { readonly ok: false; readonly reason: string; readonly retry: boolean };

/**
 * The forge's answer, with what it names checked before anything keeps or shows it: an
 * account that could not be one (controls, escape sequences, a newline, no end) makes
 * the answer unusable, and scopes that could not be scopes are dropped.
 */
async function askForge(provider: HostProvider, check: Parameters<NonNullable<HostProvider['validate']>>[0]): Promise<Validation> {
  const result = await provider.validate!(check);
  if (result.state !== 'valid') return result;
  if (result.login !== undefined && !plausibleAccount(result.login)) {
    return { state: 'unreachable', message: `${new URL(check.apiBase).host} named the token's account with control characters, blanks or too many characters, which no account has; nothing was kept from its answer` };
  }
  return { ...result, scopes: result.scopes === null ? null : result.scopes.filter((scope) => plausibleAccount(scope) && !/\s/.test(scope)) };
}

/** What the host's forge says about a new token, as metadata and the secret to keep; or why it cannot be kept. */
export async function checkNewToken(context: Services, { host, token, provider, named = false, account }: NewToken): Promise<Checked> {
  holdSecret(token);
  if (!provider.validate) return { ok: false, reason: `${provider.label} has no API to check a token with`, retry: true };
  const result = await askForge(provider, { token, apiBase: await apiBaseFor(context, provider, host, named), timeoutMs: apiTimeoutMs(context.env), account });
  switch (result.state) {
    case 'revoked':
      return { ok: false, reason: `${provider.label} rejected the token (401 Bad credentials): it is mistyped, expired or revoked`, retry: false };
    case 'forbidden':
      return { ok: false, reason: `the token could not be checked: ${result.message}`, retry: true };
    case 'unreachable':
      return { ok: false, reason: result.message, retry: true };
    case 'unusable':
      return { ok: false, reason: result.message, retry: false };
  }
  const expiry = result.expiresAt === undefined ? {} : { expiresAt: result.expiresAt };
  return {
    ok: true,
    login: result.login,
    metadata: { provider: provider.id, scopes: result.scopes, ...expiry, lastValidated: context.now() },
    secret: { password: token, ...(result.expiresAt === undefined ? {} : { passwordExpiryUtc: result.expiresAt }) },
  };
}

export type ReportState = 'valid' | 'expiring' | 'expired' | 'revoked' | 'unverified';

export interface Report {
  readonly provider: string;
  readonly host: string;
  readonly username: string;
  readonly login: string | null;
  readonly state: ReportState;
  readonly detail: string;
  readonly scopes: readonly string[] | null;
  /** YYYY-MM-DD, as everywhere (src/expiry.ts). */
  readonly expires: string | null;
  /** ISO timestamp of the last successful check, or null. */
  readonly validated: string | null;
}

/** The stored credentials a forge's API can speak for (status, doctor --online), each with its forge. */
export async function checkableCredentials(context: Pick<CommandContext, 'git'>, credentials: readonly StoredCredential[]): Promise<Array<{ credential: StoredCredential; provider: HostProvider }>> {
  const checkable: Array<{ credential: StoredCredential; provider: HostProvider }> = [];
  for (const credential of credentials) {
    const { target } = credential;
    if (target.protocol !== 'https' || target.path !== undefined) continue;
    const provider = await providerOfStored(context, credential);
    if (provider.validate) checkable.push({ credential, provider });
  }
  return checkable;
}

/** Asks the forge about one stored token and records what it says. */
export async function recheckStored(context: Services & Pick<CommandContext, 'store'>, credential: StoredCredential): Promise<Report> {
  const { target, username, secret, metadata } = credential;
  holdSecret(secret.password);
  const now = context.now();
  const storedExpiry = metadata?.expiresAt ?? secret.passwordExpiryUtc;
  const lastValidated = metadata?.lastValidated;
  let provider: HostProvider | undefined;
  let validation: Validation;
  try {
    provider = await providerOfStored(context, credential);
    if (!provider.validate) throw new UsageError(`${target.host} is a generic host: its tokens are not validated`);
    const apiBase = await apiBaseFor(context, provider, target.host);
    validation = await askForge(provider, { token: secret.password, apiBase, timeoutMs: apiTimeoutMs(context.env), account: metadata?.account });
  } catch (error) {
    // Our own errors (a bad API URL setting) say what to fix; anything else is not passed on.
    validation = { state: 'unreachable', message: error instanceof UsageError ? error.message : 'could not be checked (unexpected error)' };
  }
  const label = provider?.label ?? 'the forge';
  const base = {
    provider: provider?.id ?? metadata?.provider ?? 'github',
    host: target.host,
    // Stored text may predate the checks on what is stored (a token as the username, a raw login).
    username: shownName(username),
    login: metadata?.login === undefined ? null : shownName(metadata.login),
    scopes: metadata?.scopes ?? null,
    expires: expiryJson(storedExpiry),
    validated: lastValidated === undefined ? null : new Date(lastValidated).toISOString(),
  };
  switch (validation.state) {
    case 'revoked': {
      const expired = expiryState(storedExpiry, now) === 'expired';
      return {
        ...base,
        state: expired ? 'expired' : 'revoked',
        detail: expired ? `expired ${describeExpiry(storedExpiry, now)}; ${renewAdvice(target.host)}` : `${label} rejects it (401); ${renewAdvice(target.host)}`,
      };
    }
    case 'forbidden':
    case 'unreachable':
      return { ...base, state: 'unverified', detail: validation.message };
    case 'unusable':
      return {
        ...base,
        state: 'unverified',
        // Only login takes the account the forge's API wants (Bitbucket's email).
        detail: provider?.usernameIs === 'api-account' && metadata?.account === undefined ? `${validation.message}; log in again with it: git-credential-pat login --host ${target.host} --username EMAIL` : validation.message,
      };
    case 'valid': {
      // Where the forge cannot tell the expiry, the date the person gave at login stands.
      const expiresAt = provider?.expiry === 'reported' ? validation.expiresAt : storedExpiry;
      const login = validation.login ?? metadata?.login ?? username;
      await context.store().setMetadata(target, username, {
        ...(metadata ?? {}),
        provider: provider!.id,
        login,
        scopes: validation.scopes,
        ...(expiresAt === undefined ? {} : { expiresAt }),
        lastValidated: now,
      });
      if (expiresAt !== secret.passwordExpiryUtc) {
        const { passwordExpiryUtc: _old, ...rest } = secret;
        await context.store().write(target, username, { ...rest, ...(expiresAt === undefined ? {} : { passwordExpiryUtc: expiresAt }) }, 'keep');
      }
      return {
        ...base,
        provider: provider!.id,
        login: shownName(login),
        scopes: validation.scopes,
        state: expiryState(expiresAt, now) === 'expiring' ? 'expiring' : 'valid',
        detail: `${shownName(login)}, expires ${describeExpiry(expiresAt, now)}${
          expiryState(expiresAt, now) === 'expiring' && canSelfRotate({ provider: provider!.id, scopes: validation.scopes }) ? `; ${renewAdvice(target.host, true)}` : ''
        }`,
        expires: expiryJson(expiresAt),
        validated: new Date(now).toISOString(),
      };
    }
  }
}
