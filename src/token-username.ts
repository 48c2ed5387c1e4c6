// A token typed where the username goes (`https://ghp_...@github.com`, which GitHub
// accepts) must not be stored as a username: a keychain item's username is an
// attribute, not the secret. The Secret Service shows attributes to anyone on the
// session bus even while the keyring is locked, our index keeps them in a file, and
// `list` prints them. We refuse to store it, saying why and what to do instead.
// The shapes are every forge's, from src/hosts/token-shapes.ts (one list for
// redaction and for this).
import { CommandError } from './errors.js';
import { TOKEN_PATTERNS } from './hosts/token-shapes.js';

/** Shorter matches are more likely a name that happens to start like a prefix (`gho_st`). */
const MIN_TOKEN_LENGTH = 20;

export class TokenAsUsernameError extends CommandError {
  override readonly name: string = 'TokenAsUsernameError';
}

/** The token prefix a username carries (`ghp_`), or undefined when it holds no token. */
export function tokenShapeIn(username: string): string | undefined {
  for (const pattern of TOKEN_PATTERNS) {
    for (const match of username.matchAll(new RegExp(pattern.source, 'g'))) {
      if (match[0].length >= MIN_TOKEN_LENGTH) return match[1] ?? match[0].slice(0, 4);
    }
  }
  return undefined;
}

/** Throws when the username holds a token; the message names only its prefix. */
export function refuseTokenAsUsername(username: string): void {
  const shape = tokenShapeIn(username);
  if (shape === undefined) return;
  throw new TokenAsUsernameError(
    `the username is a token (${shape}...): not stored, because a keychain item's username is not secret (the keyring shows it even while locked, and list prints it); store the token as the password with any username, such as x-access-token`,
  );
}
