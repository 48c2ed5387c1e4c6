// Bytes that are not UTF-8 survive the round trip git -> helper -> keychain -> git unchanged.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeGitBytes, encodeGitBytes, fromKeychainText, isWellFormed, toKeychainText } from '../src/git-bytes.js';

describe('git values as bytes', () => {
  it('decodes valid UTF-8 as text, and any other byte so that it goes back exactly', () => {
    expect(decodeGitBytes(Buffer.from('héllo 😀'))).toBe('héllo 😀');
    const raw = Buffer.from([0x61, 0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0x80, 0xe2, 0x82]);
    const text = decodeGitBytes(raw);
    expect(isWellFormed(text)).toBe(false);
    expect(encodeGitBytes(text)).toEqual(raw);
  });

  it('round-trips any bytes, and two different byte strings never decode alike', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        const ta = decodeGitBytes(a);
        expect(encodeGitBytes(ta)).toEqual(Buffer.from(a));
        if (!Buffer.from(a).equals(Buffer.from(b))) expect(ta).not.toBe(decodeGitBytes(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('names in the keychain: plain text unchanged, escaped bytes distinct from every plain value', () => {
    expect(toKeychainText('octocat')).toBe('octocat');
    expect(toKeychainText('100%')).toBe('100%');
    const odd = decodeGitBytes(Buffer.from([0x25, 0x66, 0x66, 0xff]));
    expect(toKeychainText(odd)).toBe('\n%25ff%FF');
    expect(isWellFormed(toKeychainText(odd))).toBe(true);
    fc.assert(
      // git's values never hold LF.
      fc.property(fc.uint8Array({ maxLength: 40 }).filter((b) => !b.includes(0x0a)), (bytes) => {
        const text = decodeGitBytes(bytes);
        const stored = toKeychainText(text);
        expect(isWellFormed(stored)).toBe(true);
        expect(fromKeychainText(stored)).toBe(text);
        // A plain value never contains LF (git's protocol), so it can never look escaped.
        if (!isWellFormed(text)) expect(stored.startsWith('\n')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
