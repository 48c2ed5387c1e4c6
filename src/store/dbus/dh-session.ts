// The Secret Service's `dh-ietf1024-sha256-aes128-cbc-pkcs7` transfer encryption,
// as libsecret does it: Diffie-Hellman over the 1024-bit IKE group 2 (RFC 2409),
// the shared secret zero-padded to the prime's length, HKDF-SHA256 with no salt and
// no info to 16 bytes, then AES-128-CBC with PKCS#7 padding and the IV the service
// sends beside each secret. Node's crypto does the arithmetic.
import type { KeyObject } from 'node:crypto';
import { cryptoModule } from '../../builtin.js';
import { DBusWireError } from './errors.js';

export const DH_ALGORITHM = 'dh-ietf1024-sha256-aes128-cbc-pkcs7';
const PRIME_BYTES = 128;

export interface DhOffer {
  /** Our public value, big-endian, as OpenSession's input. */
  readonly publicKey: Uint8Array;
  /** The AES key from the service's public value. */
  deriveKey(servicePublic: Uint8Array): Uint8Array;
}

export function createDhOffer(): DhOffer {
  const crypto = cryptoModule();
  // generateKeyPairSync with a named group skips the slow primality check that
  // createDiffieHellman(prime) runs, and getDiffieHellman's setup.
  // (@types/node lacks the 'dh' overload; Node has had it since 15.)
  const generate = crypto.generateKeyPairSync as unknown as (type: 'dh', options: { group: string }) => { publicKey: KeyObject; privateKey: KeyObject };
  const { publicKey, privateKey } = generate('dh', { group: 'modp2' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const { algorithm, value } = splitSpki(spki);
  return {
    publicKey: value,
    deriveKey(servicePublic: Uint8Array): Uint8Array {
      if (servicePublic.length === 0 || servicePublic.length > PRIME_BYTES + 1) throw new DBusWireError('the service sent a malformed public key');
      let peer: KeyObject;
      try {
        peer = crypto.createPublicKey({ key: Buffer.from(spkiOf(algorithm, servicePublic)), format: 'der', type: 'spki' });
      } catch {
        throw new DBusWireError('the service sent a malformed public key');
      }
      const shared = crypto.diffieHellman({ privateKey, publicKey: peer });
      const padded = new Uint8Array(PRIME_BYTES);
      padded.set(shared.subarray(Math.max(0, shared.length - PRIME_BYTES)), Math.max(0, PRIME_BYTES - shared.length));
      return new Uint8Array(crypto.hkdfSync('sha256', padded, new Uint8Array(0), new Uint8Array(0), 16));
    },
  };
}

/** Decrypts one secret's value; undefined when it does not decrypt (wrong key, bad padding). */
export function decryptSecret(key: Uint8Array, iv: Uint8Array, value: Uint8Array): Uint8Array | undefined {
  if (iv.length !== 16 || value.length === 0 || value.length % 16 !== 0) return undefined;
  try {
    const decipher = cryptoModule().createDecipheriv('aes-128-cbc', key, iv);
    return new Uint8Array(Buffer.concat([decipher.update(value), decipher.final()]));
  } catch {
    return undefined;
  }
}

// ---- the little DER needed to move a raw DH public value in and out of SPKI ----

/** SubjectPublicKeyInfo = SEQUENCE { AlgorithmIdentifier, BIT STRING { INTEGER y } }. */
function splitSpki(der: Uint8Array): { algorithm: Uint8Array; value: Uint8Array } {
  const outer = readTlv(der, 0, 0x30);
  const algorithm = readTlv(der, outer.contentStart, 0x30);
  const bits = readTlv(der, algorithm.end, 0x03);
  const integer = readTlv(der, bits.contentStart + 1, 0x02);
  let value = der.subarray(integer.contentStart, integer.end);
  while (value.length > 1 && value[0] === 0) value = value.subarray(1);
  return { algorithm: der.slice(algorithm.start, algorithm.end), value: value.slice() };
}

function spkiOf(algorithm: Uint8Array, value: Uint8Array): Uint8Array {
  let y = value;
  while (y.length > 1 && y[0] === 0) y = y.subarray(1);
  const integer = tlv(0x02, (y[0] ?? 0) & 0x80 ? concat([new Uint8Array([0]), y]) : y);
  const bits = tlv(0x03, concat([new Uint8Array([0]), integer]));
  return tlv(0x30, concat([algorithm, bits]));
}

function readTlv(der: Uint8Array, at: number, tag: number): { start: number; contentStart: number; end: number } {
  if (der[at] !== tag) throw new Error('unexpected DER');
  let length = der[at + 1] ?? 0;
  let contentStart = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = (length << 8) | (der[at + 2 + i] ?? 0);
    contentStart += count;
  }
  return { start: at, contentStart, end: contentStart + length };
}

function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const header = n < 0x80 ? [tag, n] : n < 0x100 ? [tag, 0x81, n] : [tag, 0x82, n >> 8, n & 0xff];
  return concat([new Uint8Array(header), content]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
