// git's credential-helper wire format: `key=value` lines, LF only, ended by a
// blank line or EOF. Pure: bytes in, typed values out.

import { parseCredentialUrl, type UrlParts } from './credential-url.js';
import { asciiLower } from './ascii-case.js';
import { decodeGitBytes } from './git-bytes.js';
import { ProtocolError } from './protocol-error.js';
import { keptRequest, MAX_REQUEST_BYTES } from './request-reader.js';

export { MAX_REQUEST_BYTES, ProtocolError, parseCredentialUrl };

export type Attributes = ReadonlyMap<string, string | readonly string[]>;

/** Keys git may send that carry one value; a repeat is refused rather than guessed at. */
const SINGLE_VALUED = new Set(['protocol', 'host', 'path', 'username', 'password', 'url']);

/**
 * Parses a request. Splits on LF alone: a CR is data, never a line break, so
 * `host=github.com\r` is not `github.com` (the CVE-2024-50338 class of bug).
 * Keys ending in `[]` collect repeated values; an empty value resets the list.
 * Values are bytes, as in git: bytes that are not UTF-8 are kept exactly
 * (src/git-bytes.ts), so they match only the same bytes. Long lines of attributes
 * we do not use (a server's long WWW-Authenticate challenge) are skipped, not
 * refused (src/request-reader.ts).
 */
export function parseAttributes(input: Uint8Array): Attributes {
  const { kept } = keptRequest(input);
  if (kept.includes(0)) throw new ProtocolError('request contains a NUL byte');
  const text = decodeGitBytes(kept);

  const attributes = new Map<string, string | string[]>();
  // Keys given on their own lines (a repeat is refused), apart from those a url= filled in.
  const explicit = new Set<string>();
  let fromUrl: UrlParts | undefined;
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line === '') {
      // A blank line ends the request; so does EOF (the final "" after a trailing LF).
      break;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new ProtocolError(`line ${index + 1} has no '='`);
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key.endsWith('[]')) {
      const list = attributes.get(key);
      if (value === '') attributes.set(key, []);
      else if (Array.isArray(list)) list.push(value);
      else attributes.set(key, [value]);
      continue;
    }
    if (SINGLE_VALUED.has(key) && explicit.has(key)) {
      throw new ProtocolError(`attribute '${key}' given more than once`);
    }
    explicit.add(key);
    if (key === 'url') {
      // git's rule (credential_read -> credential_from_url): url= clears everything
      // read so far and fills in its own parts; later lines may add to them.
      fromUrl = parseCredentialUrl(value);
      for (const name of [...attributes.keys()]) if (!name.endsWith('[]')) attributes.delete(name);
      for (const name of IDENTITY) explicit.delete(name);
      for (const [name, part] of Object.entries(fromUrl)) if (part !== undefined) attributes.set(name, part);
      continue;
    }
    // Stricter than git: a later protocol= or host= that contradicts the url= is
    // confusion, not a request, and could send a token to the wrong place.
    if (fromUrl && (key === 'protocol' || key === 'host') && asciiLower(fromUrl[key]) !== asciiLower(value)) {
      throw new ProtocolError(`${key}= disagrees with url=`);
    }
    attributes.set(key, value);
  }
  return attributes;
}

const IDENTITY = ['protocol', 'host', 'path', 'username', 'password'] as const;

/** Reads a single-valued attribute; absent and list-valued both read as undefined. */
export function single(attributes: Attributes, key: string): string | undefined {
  const value = attributes.get(key);
  return typeof value === 'string' ? value : undefined;
}

/** Formats an answer. Refuses values that would break the stream or smuggle in another attribute. */
export function formatAttributes(pairs: ReadonlyArray<readonly [string, string]>): string {
  let out = '';
  for (const [key, value] of pairs) {
    if (/[\n\0=]/.test(key) || key === '') throw new ProtocolError(`cannot send attribute name ${JSON.stringify(key)}`);
    if (/[\n\0]/.test(value)) throw new ProtocolError(`stored ${key} contains a newline or NUL and cannot be sent to git`);
    out += `${key}=${value}\n`;
  }
  return out;
}
