// Stored credentials as people and scripts see them: everything but the secret.
import { daysLeft, describeExpiry, expiryJson } from './expiry.js';
import type { HostProvider, ProviderId } from './hosts/provider.js';
import { serviceName } from './credential.js';
import type { StoredCredential, UnconfirmedRow } from './store/credential-store.js';
import { defaultIndexPath } from './store/index-file.js';
import { shownName, shownText } from './shown-text.js';
import { NEVER_VALIDATED, UNKNOWN_KIND, UNKNOWN_KIND_LABEL } from './vocabulary.js';

export interface CredentialView {
  readonly provider: ProviderId;
  readonly host: string;
  readonly protocol: string;
  readonly path: string | null;
  readonly username: string;
  /** The forge's name for the token's kind ("classic"), or "unknown". */
  readonly kind: string;
  readonly login: string | null;
  /** null: not listable by the forge, or never checked; see `checked`. */
  readonly scopes: readonly string[] | null;
  readonly checked: boolean;
  /** YYYY-MM-DD or null (src/expiry.ts). */
  readonly expires: string | null;
  readonly daysLeft: number | null;
  /** ISO timestamp of the last time the forge confirmed the token; null: never (generic hosts, plain store). */
  readonly validated: string | null;
  readonly isDefault: boolean;
  /** false: in the keychain, but this index has no row for it (stored under another XDG_STATE_HOME). */
  readonly inIndex: boolean;
}

export function viewOf(credential: StoredCredential, provider: HostProvider, nowMs: number, isDefault: boolean): CredentialView {
  const expiresAt = credential.metadata?.expiresAt ?? credential.secret.passwordExpiryUtc;
  const validated = credential.metadata?.lastValidated;
  return {
    provider: provider.id,
    host: credential.target.host,
    protocol: credential.target.protocol,
    path: credential.target.path ?? null,
    // Stored before tokens were refused as usernames (src/token-username.ts): never shown.
    username: shownName(credential.username),
    kind: provider.tokenKind(credential.secret.password)?.id ?? UNKNOWN_KIND,
    // What the person typed at an unvalidated login is not an account the forge confirmed.
    login: validated === undefined || credential.metadata?.login === undefined ? null : shownName(credential.metadata.login),
    scopes: credential.metadata?.scopes ?? null,
    checked: validated !== undefined,
    expires: expiryJson(expiresAt),
    daysLeft: expiresAt === undefined ? null : daysLeft(expiresAt, nowMs),
    validated: validated === undefined ? null : new Date(validated).toISOString(),
    isDefault,
    inIndex: credential.inIndex !== false,
  };
}

/**
 * Said by list and logout when the keychain itself could not be searched (Inventory's
 * wholeKeychain false): what they worked from is this index's view, not the keychain's.
 */
export function indexOnly(env: NodeJS.ProcessEnv): string {
  return `the keychain could not be searched for items of ours (Linux's Secret Service can be, while every collection is unlocked; macOS and Windows keychains cannot), so only the credentials recorded in ${defaultIndexPath(env)} were looked at: one stored with another state folder would not show`;
}

/**
 * Said by list and logout when index rows were kept because the keychain would
 * neither give nor deny their items (locked, or refusing): what is shown may be incomplete.
 */
export function unconfirmedNote(rows: readonly UnconfirmedRow[], unreadable: string | undefined): string {
  const names = rows.map((r) => `${shownName(r.username) || '(empty)'} on ${serviceName(r.target).replace(/^git-credential-pat:/, '')}`);
  return `${rows.length} recorded credential${rows.length === 1 ? '' : 's'} could not be read from the keychain now (${names.join(', ')}), so this may be incomplete; they stay recorded. ${unreadable ? `Why: ${unreadable}` : 'Is the keychain locked?'}`;
}

/** "classic personal access token", or "token of unknown kind". */
export function kindLabel(provider: HostProvider, token: string): string {
  return provider.tokenKind(token)?.label ?? UNKNOWN_KIND_LABEL;
}

/** list's VALIDATED column: the day the forge last confirmed the token, or the one word for none. */
export function validatedDay(validated: string | null): string {
  return validated?.slice(0, 10) ?? NEVER_VALIDATED;
}

/** An expiry as a person reads it, saying why there is none where the forge explains that. */
export function describeTokenExpiry(provider: HostProvider, expiresAt: number | undefined, nowMs: number): string {
  if (expiresAt !== undefined) return describeExpiry(expiresAt, nowMs);
  if (provider.expiry === 'never') return `never (${provider.label} tokens do not expire)`;
  if (provider.expiry === 'asked') return `unknown (${provider.label} does not tell; give login --expires YYYY-MM-DD to be warned)`;
  return describeExpiry(undefined, nowMs);
}

export function describeScopes(scopes: readonly string[] | null | undefined, provider: HostProvider): string {
  if (scopes === undefined) return 'unknown (not checked)';
  if (scopes === null) return provider.unlistedScopes;
  return scopes.length === 0 ? 'none' : scopes.join(', ');
}

/** A plain-text table, columns padded to their widest cell. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  // Cells hold remote and stored text: never a control character on a terminal.
  rows = rows.map((row) => row.map(shownText));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
