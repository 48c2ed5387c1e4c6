// How a Secret is kept in one keychain item. The password comes first, alone on
// its line, so a person (or `secret-tool lookup`) sees the token itself; git's
// libsecret helper keeps extras the same way, as `\nkey=value` lines after it.
// Passwords never contain LF (git's protocol forbids it), so this is unambiguous.
import type { Secret } from './credential.js';
import { fromKeychainText, isWellFormed, toKeychainText } from './git-bytes.js';

const PASSWORD = 'password';
const EXPIRY = 'password_expiry_utc';
const REFRESH = 'oauth_refresh_token';

/**
 * A password or refresh token holding bytes that are not UTF-8 (src/git-bytes.ts)
 * cannot be keychain text as it is: it is kept escaped on a `<key>:bytes=` line,
 * which wins over the plain one when read back.
 */
const BYTES = ':bytes';

export function encodeSecret(secret: Secret): string {
  let text = isWellFormed(secret.password) ? secret.password : '';
  if (!isWellFormed(secret.password)) text += `\n${PASSWORD}${BYTES}=${toKeychainText(secret.password).slice(1)}`;
  if (secret.passwordExpiryUtc !== undefined) text += `\n${EXPIRY}=${secret.passwordExpiryUtc}`;
  if (secret.oauthRefreshToken !== undefined) {
    text += isWellFormed(secret.oauthRefreshToken)
      ? `\n${REFRESH}=${secret.oauthRefreshToken}`
      : `\n${REFRESH}${BYTES}=${toKeychainText(secret.oauthRefreshToken).slice(1)}`;
  }
  return text;
}

export function decodeSecret(text: string): Secret {
  let [password = '', ...extras] = text.split('\n');
  let passwordExpiryUtc: number | undefined;
  let oauthRefreshToken: string | undefined;
  for (const line of extras) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === EXPIRY && /^\d{1,15}$/.test(value)) passwordExpiryUtc = Number(value);
    else if (key === REFRESH && value !== '') oauthRefreshToken ??= value;
    else if (key === PASSWORD + BYTES) password = fromKeychainText(`\n${value}`);
    else if (key === REFRESH + BYTES) oauthRefreshToken = fromKeychainText(`\n${value}`);
  }
  return {
    password,
    ...(passwordExpiryUtc === undefined ? {} : { passwordExpiryUtc }),
    ...(oauthRefreshToken === undefined ? {} : { oauthRefreshToken }),
  };
}
