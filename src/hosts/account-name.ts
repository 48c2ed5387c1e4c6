// What a forge says a token's account is called becomes a git username, a keychain
// attribute, an index row and a line of every later list and status. A forge (or a
// server posing as one) can answer anything, so a name is taken only when it could be
// an account: printable, no control or separator characters, not blank, bounded.

/** Longer than any forge allows (GitHub 39, GitLab 255, an email 254). */
export const MAX_ACCOUNT_LENGTH = 256;

/** Whether a forge's account name may be stored and shown. Pure. */
export function plausibleAccount(name: string): boolean {
  if (name.length === 0 || name.length > MAX_ACCOUNT_LENGTH) return false;
  if (name.trim() !== name) return false;
  // Cc (controls, C1 included), Cf (bidi overrides, zero-width), Zl/Zp, lone surrogates, unassigned.
  return !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Cn}]/u.test(name);
}
