// What a request asks for and where a credential lives. Pure.
import { asciiLower } from './ascii-case.js';
import { fromKeychainText, toKeychainText } from './git-bytes.js';
import { type Attributes, single } from './protocol.js';

/** Where a credential is kept: one keychain service per (protocol, host[:port], path). */
export interface Target {
  readonly protocol: string;
  /** Lower-cased; includes `:port` when git gave one. May be empty for protocols without hosts (`cert`). */
  readonly host: string;
  /** Only present when git sent one (credential.useHttpPath, or non-HTTP protocols). */
  readonly path?: string;
}

/** The confidential part of a stored credential. */
export interface Secret {
  readonly password: string;
  /** Unix seconds, as git's `password_expiry_utc`. */
  readonly passwordExpiryUtc?: number;
  readonly oauthRefreshToken?: string;
}

export interface Credential {
  readonly target: Target;
  readonly username: string;
  readonly secret: Secret;
}

/** A get/erase request: the target plus the optional filters git sent. */
export interface Query {
  readonly target: Target;
  readonly username?: string;
  readonly password?: string;
}

/** Every keychain item of ours has a service name starting with this. */
export const SERVICE_PREFIX = 'git-credential-pat:';

/**
 * The keychain service name, readable by a person browsing their keychain:
 * `git-credential-pat:https://github.com`, `git-credential-pat:https://host:8443/org/repo.git`.
 * Our own namespace, so we never collide with Git Credential Manager's items.
 */
export function serviceName(target: Target): string {
  const path = target.path === undefined ? '' : `/${target.path}`;
  return `${SERVICE_PREFIX}${toKeychainText(`${target.protocol}://${target.host}${path}`)}`;
}

/**
 * The target a service name of ours stands for (the inverse of serviceName, for items
 * found in the keychain itself), or undefined for a name we did not write. A host
 * holding a '/' reads back as host and path, which names the same service again.
 */
export function targetOfService(service: string): Target | undefined {
  if (!service.startsWith(SERVICE_PREFIX)) return undefined;
  const text = fromKeychainText(service.slice(SERVICE_PREFIX.length));
  const match = /^([^/]*):\/\/([^/]*)(?:\/(.+))?$/s.exec(text);
  if (!match || !match[1]) return undefined;
  const [, protocol, host, path] = match;
  return path === undefined ? { protocol, host: host! } : { protocol, host: host!, path };
}

/** The keychain account of a username: itself, unless it holds bytes that are not UTF-8 (src/git-bytes.ts). */
export function accountName(username: string): string {
  return toKeychainText(username);
}

/** The username a keychain account stands for. */
export function usernameOf(account: string): string {
  return fromKeychainText(account);
}

/** Host names compare without regard to ASCII case (src/ascii-case.ts); nothing else is folded (a trailing dot or another port is another host). */
export function normaliseHost(host: string): string {
  return asciiLower(host);
}

/**
 * Reads the target a request names, or undefined when it names none we can key on:
 * without a protocol, or without both host and path, there is nothing to match safely.
 */
export function targetOf(attributes: Attributes): Target | undefined {
  const protocol = single(attributes, 'protocol');
  const host = single(attributes, 'host');
  const path = single(attributes, 'path');
  if (!protocol || (!host && !path)) return undefined;
  const target: Target = { protocol: asciiLower(protocol), host: normaliseHost(host ?? '') };
  return path === undefined || path === '' ? target : { ...target, path };
}

export function queryOf(attributes: Attributes): Query | undefined {
  const target = targetOf(attributes);
  if (!target) return undefined;
  const username = single(attributes, 'username');
  const password = single(attributes, 'password');
  return {
    target,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
}

/** A store request: git sends one only when it has both a username and a password (empty counts). */
export function credentialOf(attributes: Attributes): Credential | undefined {
  const target = targetOf(attributes);
  const username = single(attributes, 'username');
  const password = single(attributes, 'password');
  if (!target || username === undefined || password === undefined) return undefined;
  const expiry = parseExpiry(single(attributes, 'password_expiry_utc'));
  const refresh = single(attributes, 'oauth_refresh_token');
  return {
    target,
    username,
    secret: {
      password,
      ...(expiry === undefined ? {} : { passwordExpiryUtc: expiry }),
      ...(refresh === undefined || refresh === '' ? {} : { oauthRefreshToken: refresh }),
    },
  };
}

/** git: 0 or an unparsable value means "no expiry". */
function parseExpiry(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,15}$/.test(value)) return undefined;
  const seconds = Number(value);
  return seconds > 0 ? seconds : undefined;
}

/**
 * The targets a request may be answered from, most specific first: a path-specific
 * credential wins, and a host-wide one still serves requests that carry a path
 * (friendlier than git's store helper for people who turn on useHttpPath later).
 */
export function lookupTargets(target: Target): Target[] {
  if (target.path === undefined) return [target];
  return [target, { protocol: target.protocol, host: target.host }];
}

export function sameTarget(a: Target, b: Target): boolean {
  return a.protocol === b.protocol && a.host === b.host && a.path === b.path;
}

/** The answer to a get, in the order git documents. */
export function answerPairs(username: string, secret: Secret): Array<[string, string]> {
  const pairs: Array<[string, string]> = [
    ['username', username],
    ['password', secret.password],
  ];
  if (secret.passwordExpiryUtc !== undefined) pairs.push(['password_expiry_utc', String(secret.passwordExpiryUtc)]);
  if (secret.oauthRefreshToken !== undefined) pairs.push(['oauth_refresh_token', secret.oauthRefreshToken]);
  return pairs;
}

export function sameSecret(a: Secret, b: Secret): boolean {
  return (
    a.password === b.password &&
    a.passwordExpiryUtc === b.passwordExpiryUtc &&
    a.oauthRefreshToken === b.oauthRefreshToken
  );
}
