// Property-based tests of the wire format: whatever the bytes, parsing returns
// attributes or throws a ProtocolError, in bounded time; and format-then-parse is
// the identity on every attribute set git could send.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAttributes, MAX_REQUEST_BYTES, parseAttributes, ProtocolError } from '../src/protocol.js';

/** Runs per property; bounded so CI stays fast (see the note on fuzz counts). */
export const FUZZ_RUNS = 2000;

const key = fc.stringMatching(/^[a-z_]{1,12}$/).filter((k) => !['url'].includes(k));
// Any UTF-8 text without LF or NUL, CR included: git's values may hold anything else.
const value = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((v) => !/[\n\0]/.test(v));

describe('protocol properties', () => {
  it('format then parse gives the same attributes back', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 12 }), (pairs) => {
        const parsed = parseAttributes(Buffer.from(formatAttributes(pairs)));
        expect([...parsed.entries()]).toEqual(pairs);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('any byte string parses or fails with a ProtocolError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        try {
          const attributes = parseAttributes(bytes);
          for (const [k, v] of attributes) {
            expect(k).not.toMatch(/[\n\0]/);
            for (const item of typeof v === 'string' ? [v] : v) expect(item).not.toMatch(/[\n\0]/);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('line-shaped noise (keys, =, CR, LF, repeats) parses or fails cleanly', () => {
    const piece = fc.constantFrom('host', 'protocol', 'username', 'password', 'path', 'url', 'wwwauth[]', '=', '\r', '\n', 'github.com', 'evil.example', 'x', '', '\n\n');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
        try {
          parseAttributes(Buffer.from(pieces.join('')));
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('copes with 10,000 attributes and a value just under the cap (the test timeout catches a hang)', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `k${i}=v${i}\n`).join('');
    expect(parseAttributes(Buffer.from(many)).size).toBe(10_000);
    const big = Buffer.from(`password=${'x'.repeat(MAX_REQUEST_BYTES - 20)}\n`);
    expect(parseAttributes(big).get('password')).toHaveLength(MAX_REQUEST_BYTES - 20);
  });
});
