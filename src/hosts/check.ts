// Asking a forge about a token, for every command that does: login, the guide, import
// (a new token) and status, doctor --online (a stored one). Which forge and which API
// root are decided here, once.
import type { Secret } from '../credential.js';
import type { CommandContext } from '../commands/context.js';
import { describeExpiry, expiryJson, expiryState, renewAdvice } from '../expiry.js';
import type { StoredCredential, TokenMetadata } from '../store/credential-store.js';
import { checkedApiUrl } from './api-url.js';
import type { HostProvider, Validation } from './provider.js';
import { providerFor } from './registry.js';

type Services = Pick<CommandContext, 'env' | 'git' | 'now'>;

/** GIT_CREDENTIAL_PAT_API_TIMEOUT_MS overrides it, for slow proxies (and tests). */
export function apiTimeoutMs(env: NodeJS.ProcessEnv): number {
  const value = Number(env.GIT_CREDENTIAL_PAT_API_TIMEOUT_MS);
  return Number.isInteger(value) && value > 0 ? value : 10_000;
}

/**
 * The REST API for a host: GIT_CREDENTIAL_PAT_API_URL, then git's
 * `credential.<url>.patApiUrl`, then the forge's own rule for the host.
 */
export async function apiBaseFor(context: Pick<CommandContext, 'env' | 'git'>, provider: HostProvider, host: string): Promise<string> {
  const override = context.env.GIT_CREDENTIAL_PAT_API_URL || (await context.git.getUrlmatch('credential.patApiUrl', `https://${host}`));
  return override ? checkedApiUrl(override) : provider.apiBase(host);
}

async function validate(context: Services, provider: HostProvider, host: string, token: string): Promise<Validation> {
  return provider.validate(token, await apiBaseFor(context, provider, host), apiTimeoutMs(context.env));
}

export type Checked =
  | { readonly ok: true; readonly provider: HostProvider; readonly metadata: TokenMetadata; readonly secret: Secret }
  | { readonly ok: false; readonly provider: HostProvider; readonly reason: string; readonly retry: boolean };

/** What the host's forge says about a new token, as metadata and the secret to keep; or why it cannot be kept. */
export async function checkNewToken(context: Services, host: string, token: string): Promise<Checked> {
  const provider = providerFor(host);
  const result = await validate(context, provider, host, token);
  switch (result.state) {
    case 'revoked':
      return { ok: false, provider, reason: `${provider.label} rejected the token (401 Bad credentials): it is mistyped, expired or revoked`, retry: false };
    case 'forbidden':
      return { ok: false, provider, reason: `the token could not be checked: ${result.message}`, retry: true };
    case 'unreachable':
      return { ok: false, provider, reason: result.message, retry: true };
  }
  const expiry = result.expiresAt === undefined ? {} : { expiresAt: result.expiresAt };
  return {
    ok: true,
    provider,
    metadata: { login: result.login, scopes: result.scopes, ...expiry, lastValidated: context.now() },
    secret: { password: token, ...(result.expiresAt === undefined ? {} : { passwordExpiryUtc: result.expiresAt }) },
  };
}

export type ReportState = 'valid' | 'expiring' | 'expired' | 'revoked' | 'unverified';

export interface Report {
  readonly host: string;
  readonly username: string;
  readonly login: string | null;
  readonly state: ReportState;
  readonly detail: string;
  /** YYYY-MM-DD, as everywhere (src/expiry.ts). */
  readonly expires: string | null;
}

/** Asks the forge about one stored token and records what it says. */
export async function recheckStored(context: Services & Pick<CommandContext, 'store'>, credential: StoredCredential): Promise<Report> {
  const { target, username, secret } = credential;
  const now = context.now();
  const provider = providerFor(target.host);
  const storedExpiry = credential.metadata?.expiresAt ?? secret.passwordExpiryUtc;
  let validation: Validation;
  try {
    validation = await validate(context, provider, target.host, secret.password);
  } catch (error) {
    validation = { state: 'unreachable', message: (error as Error).message };
  }
  const base = { host: target.host, username, login: credential.metadata?.login ?? null };
  switch (validation.state) {
    case 'revoked': {
      const expired = expiryState(storedExpiry, now) === 'expired';
      return {
        ...base,
        state: expired ? 'expired' : 'revoked',
        detail: expired ? `expired ${describeExpiry(storedExpiry, now)}; ${renewAdvice(target.host)}` : `${provider.label} rejects it (401); ${renewAdvice(target.host)}`,
        expires: expiryJson(storedExpiry),
      };
    }
    case 'forbidden':
    case 'unreachable':
      return { ...base, state: 'unverified', detail: validation.message, expires: expiryJson(storedExpiry) };
    case 'valid': {
      const expiresAt = validation.expiresAt;
      await context.store().setMetadata(target, username, {
        login: validation.login,
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
        login: validation.login,
        state: expiryState(expiresAt, now) === 'expiring' ? 'expiring' : 'valid',
        detail: `${validation.login}, expires ${describeExpiry(expiresAt, now)}`,
        expires: expiryJson(expiresAt),
      };
    }
  }
}
