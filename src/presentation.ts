// Stored credentials as people and scripts see them: everything but the secret.
import { daysLeft, expiryJson } from './expiry.js';
import type { HostProvider } from './hosts/provider.js';
import { providerClaiming, providerFor } from './hosts/registry.js';
import type { StoredCredential } from './store/credential-store.js';
import { redact } from './trace.js';

export interface CredentialView {
  readonly host: string;
  readonly protocol: string;
  readonly path: string | null;
  readonly username: string;
  /** The forge's name for the token's kind ("classic"), or "unknown". */
  readonly kind: string;
  readonly login: string | null;
  /** null: fine-grained (not listable) or never checked; see `checked`. */
  readonly scopes: readonly string[] | null;
  readonly checked: boolean;
  /** YYYY-MM-DD or null (src/expiry.ts). */
  readonly expires: string | null;
  readonly daysLeft: number | null;
  readonly lastValidated: string | null;
  readonly isDefault: boolean;
}

export function viewOf(credential: StoredCredential, nowMs: number, isDefault: boolean): CredentialView {
  const expiresAt = credential.metadata?.expiresAt ?? credential.secret.passwordExpiryUtc;
  const validated = credential.metadata?.lastValidated;
  return {
    host: credential.target.host,
    protocol: credential.target.protocol,
    path: credential.target.path ?? null,
    // Stored before tokens were refused as usernames (src/token-username.ts): never shown.
    username: redact(credential.username),
    kind: providerFor(credential.target.host).tokenKind(credential.secret.password)?.id ?? 'unknown',
    login: credential.metadata?.login ?? null,
    scopes: credential.metadata?.scopes ?? null,
    checked: credential.metadata !== undefined,
    expires: expiryJson(expiresAt),
    daysLeft: expiresAt === undefined ? null : daysLeft(expiresAt, nowMs),
    lastValidated: validated === undefined ? null : new Date(validated).toISOString(),
    isDefault,
  };
}

/** "classic personal access token", or "token of unknown kind". */
export function kindLabel(provider: HostProvider, token: string): string {
  return provider.tokenKind(token)?.label ?? 'token of unknown kind';
}

export function describeScopes(scopes: readonly string[] | null | undefined): string {
  if (scopes === undefined) return 'unknown (not checked)';
  if (scopes === null) return 'fine-grained (permissions not listable)';
  return scopes.length === 0 ? 'none' : scopes.join(', ');
}

/** Credentials a forge's API can speak for: checked before, a forge's host, or a token of a forge's shape. */
export function isForgeCredential(credential: StoredCredential): boolean {
  const { target, metadata, secret } = credential;
  return (
    target.protocol === 'https' &&
    target.path === undefined &&
    (metadata !== undefined || providerClaiming(target.host) !== undefined || providerFor(target.host).tokenKind(secret.password) !== undefined)
  );
}

/** A plain-text table, columns padded to their widest cell. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
