// How a Secret is kept in one keychain item. The password comes first, alone on
// its line, so a person (or `secret-tool lookup`) sees the token itself; git's
// libsecret helper keeps extras the same way, as `\nkey=value` lines after it.
// Passwords never contain LF (git's protocol forbids it), so this is unambiguous.
import type { Secret } from './credential.js';

const EXPIRY = 'password_expiry_utc';
const REFRESH = 'oauth_refresh_token';

export function encodeSecret(secret: Secret): string {
  let text = secret.password;
  if (secret.passwordExpiryUtc !== undefined) text += `\n${EXPIRY}=${secret.passwordExpiryUtc}`;
  if (secret.oauthRefreshToken !== undefined) text += `\n${REFRESH}=${secret.oauthRefreshToken}`;
  return text;
}

export function decodeSecret(text: string): Secret {
  const [password = '', ...extras] = text.split('\n');
  let passwordExpiryUtc: number | undefined;
  let oauthRefreshToken: string | undefined;
  for (const line of extras) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === EXPIRY && /^\d{1,15}$/.test(value)) passwordExpiryUtc = Number(value);
    else if (key === REFRESH && value !== '') oauthRefreshToken = value;
  }
  return {
    password,
    ...(passwordExpiryUtc === undefined ? {} : { passwordExpiryUtc }),
    ...(oauthRefreshToken === undefined ? {} : { oauthRefreshToken }),
  };
}
