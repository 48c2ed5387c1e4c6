// git's values are bytes, not text: a path or a username may hold bytes that are not
// UTF-8 (`url=https://%ff@host/` gives `username=\xff`), and git's own helpers match
// them byte for byte. We keep them as JavaScript strings anyway (everything else in
// the program is text), with the convention Python calls "surrogateescape": every
// byte of an invalid UTF-8 sequence becomes the lone surrogate U+DC00 + byte. Valid
// UTF-8 never decodes to a lone surrogate, so the mapping is one-to-one and goes
// back to the exact bytes. Pure.

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes from git as a string; valid UTF-8 decodes as usual, each other byte as U+DC80..U+DCFF. */
export function decodeGitBytes(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return decodeEscaping(bytes);
  }
}

/** The exact bytes a string from decodeGitBytes came from. */
export function encodeGitBytes(text: string): Buffer {
  if (isWellFormed(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (const { index, byte } of escapedBytes(text)) {
    parts.push(Buffer.from(text.slice(start, index), 'utf8'), Buffer.of(byte));
    start = index + 1;
  }
  parts.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the string is plain Unicode text (no escaped byte): the common case. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * The keychain stores names and secrets as UTF-8 text, which cannot carry a stray
 * byte. A value holding one is written as LF + the value with `%` and each escaped
 * byte percent-encoded. No value from git contains LF (the protocol forbids it), so
 * an escaped name can never equal a plain one, and plain values are stored as they
 * always were.
 */
export function toKeychainText(text: string): string {
  if (isWellFormed(text)) return text;
  let out = '\n';
  let start = 0;
  const percent = (part: string) => part.replaceAll('%', '%25');
  for (const { index, byte } of escapedBytes(text)) {
    out += `${percent(text.slice(start, index))}%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    start = index + 1;
  }
  return out + percent(text.slice(start));
}

/** The value toKeychainText was given. */
export function fromKeychainText(text: string): string {
  if (!text.startsWith('\n')) return text;
  return text.slice(1).replace(/%([0-9A-F]{2})/g, (_, hex: string) => {
    const byte = parseInt(hex, 16);
    return byte === 0x25 ? '%' : String.fromCharCode(0xdc00 + byte);
  });
}

/** Lone low surrogates U+DC80..U+DCFF: the escaped bytes, with their offsets. */
function* escapedBytes(text: string): Generator<{ index: number; byte: number }> {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a real pair: one character beyond the BMP
        continue;
      }
    }
    if (unit >= 0xdc80 && unit <= 0xdcff) yield { index: i, byte: unit - 0xdc00 };
    else if (unit >= 0xd800 && unit <= 0xdfff) throw new RangeError('a lone surrogate that is no escaped byte');
  }
}

/** The slow path: decode sequence by sequence, escaping each byte of an invalid one. */
function decodeEscaping(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const length = validSequenceLength(bytes, i);
    if (length === 0) {
      out += String.fromCharCode(0xdc00 + bytes[i]!);
      i++;
    } else {
      out += utf8.decode(bytes.subarray(i, i + length));
      i += length;
    }
  }
  return out;
}

/** The length of the well-formed UTF-8 sequence at `at` (RFC 3629, table 3-7 of Unicode), or 0. */
function validSequenceLength(bytes: Uint8Array, at: number): number {
  const b0 = bytes[at]!;
  if (b0 < 0x80) return 1;
  const cont = (offset: number, low = 0x80, high = 0xbf) => {
    const b = bytes[at + offset];
    return b !== undefined && b >= low && b <= high;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const low = b0 === 0xe0 ? 0xa0 : 0x80; // no overlong forms
    const high = b0 === 0xed ? 0x9f : 0xbf; // no UTF-16 surrogates
    return cont(1, low, high) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const low = b0 === 0xf0 ? 0x90 : 0x80;
    const high = b0 === 0xf4 ? 0x8f : 0xbf; // nothing beyond U+10FFFF
    return cont(1, low, high) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}
