// Text from outside (a forge's answer, an index row, a keychain attribute) shown to a
// person. It may hold terminal escape sequences or a token, so it is never written as
// it is: every control character is spelled out, and token shapes are redacted.
import { redact } from './trace.js';

// C0, DEL, C1, and the line and paragraph separators: each can move the cursor, start an
// escape sequence (ESC, CSI U+009B, OSC U+009D) or break a line a reader trusts.
const CONTROL = /[\0-\x1f\x7f-\x9f\u2028\u2029]/g;

/** Control characters as visible escapes (`\x1b`, `\n`), so remote text cannot drive a terminal. Pure. */
export function shownText(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/**
 * A stored username or account as every command shows it: a token stored as a username
 * by an older version (src/token-username.ts) is redacted, and controls are spelled out.
 * The one function for it, so no command shows one raw. Pure (but for the secrets `redact` holds).
 */
export function shownName(name: string): string {
  return shownText(redact(name));
}
