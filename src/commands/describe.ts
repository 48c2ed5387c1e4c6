// One stored credential as people and scripts see it: everything but the secret.
import { daysLeft, formatDate } from '../github/expiration.js';
import { tokenKind, type TokenKind } from '../github/token-kind.js';
import { isWellKnownGitHubHost } from '../github/api-url.js';
import type { StoredCredential } from '../store/credential-store.js';

export interface CredentialView {
  readonly host: string;
  readonly protocol: string;
  readonly path: string | null;
  readonly username: string;
  readonly kind: TokenKind;
  readonly login: string | null;
  /** null: fine-grained (not listable) or never checked; see `checked`. */
  readonly scopes: readonly string[] | null;
  readonly checked: boolean;
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
    username: credential.username,
    kind: tokenKind(credential.secret.password),
    login: credential.metadata?.login ?? null,
    scopes: credential.metadata?.scopes ?? null,
    checked: credential.metadata !== undefined,
    expires: expiresAt === undefined ? null : formatDate(expiresAt),
    daysLeft: expiresAt === undefined ? null : daysLeft(expiresAt, nowMs),
    lastValidated: validated === undefined ? null : new Date(validated).toISOString(),
    isDefault,
  };
}

/** Credentials the GitHub API can speak for: checked before, a GitHub host, or a GitHub-shaped token. */
export function isGitHubCredential(credential: StoredCredential): boolean {
  return (
    credential.target.protocol === 'https' &&
    credential.target.path === undefined &&
    (credential.metadata !== undefined || isWellKnownGitHubHost(credential.target.host) || tokenKind(credential.secret.password) !== 'unknown')
  );
}

/** A plain-text table, columns padded to their widest cell. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
