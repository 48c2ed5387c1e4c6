// `url=`, parsed exactly as git's credential_from_url does (credential.c,
// credential_from_url_1, and url.c, url_decode_mem; unchanged from git 2.39 to
// today), on bytes, so that what we key on is what git hands a helper for the same
// URL. test/url-differential.test.ts checks this against the real git. Pure.
import { decodeGitBytes, encodeGitBytes } from './git-bytes.js';
import { ProtocolError } from './protocol-error.js';

export interface UrlParts {
  readonly protocol: string;
  /** Always present for url=, possibly empty (`https:///x`). */
  readonly host: string;
  readonly username?: string;
  readonly password?: string;
  readonly path?: string;
}

const SLASH = 0x2f;

/**
 * `proto://[user[:password]@]host[/path]`:
 * - the protocol is everything before the first `://`, as written;
 * - the host ends at the first `/`, `?` or `#`, and user-info counts only when its
 *   `@` comes before that (so `https://evil.example?@github.com` is evil.example);
 * - the user-info splits at its first `:`;
 * - leading and trailing slashes leave the path, which keeps `?` and `#`;
 * - %XX escapes decode as git decodes them (see urlDecode).
 * Refused: no scheme (git dies too), and any decoded control character, where git
 * refuses only LF: a CR, a NUL-like escape or an ESC in a host or username is never
 * an honest request.
 */
export function parseCredentialUrl(url: string): UrlParts {
  const bytes = encodeGitBytes(url);
  const protoEnd = bytes.indexOf('://');
  if (protoEnd <= 0) throw new ProtocolError('url= has no scheme');
  const start = protoEnd + 3;
  let slash = start;
  while (slash < bytes.length && !isHostEnd(bytes[slash]!)) slash++;
  const at = bytes.indexOf('@', start);
  const colon = bytes.indexOf(':', start);

  let username: Buffer | undefined;
  let password: Buffer | undefined;
  let hostStart = start;
  if (at >= 0 && at < slash) {
    if (colon < 0 || at <= colon) {
      username = urlDecode(bytes.subarray(start, at));
    } else {
      username = urlDecode(bytes.subarray(start, colon));
      password = urlDecode(bytes.subarray(colon + 1, at));
    }
    hostStart = at + 1;
  }
  const host = urlDecode(bytes.subarray(hostStart, slash));
  let pathStart = slash;
  while (bytes[pathStart] === SLASH) pathStart++;
  let path: Buffer | undefined;
  if (pathStart < bytes.length) {
    path = urlDecode(bytes.subarray(pathStart));
    let end = path.length;
    while (end > 1 && path[end - 1] === SLASH) end--;
    path = path.subarray(0, end);
  }

  const parts: Array<[keyof UrlParts, Buffer | undefined]> = [
    ['protocol', bytes.subarray(0, protoEnd)],
    ['host', host],
    ['username', username],
    ['password', password],
    ['path', path],
  ];
  const result: Record<string, string> = {};
  for (const [name, value] of parts) {
    if (value === undefined) continue;
    if (value.some(isControl)) throw new ProtocolError(`url= has a control character in its ${name}`);
    result[name] = decodeGitBytes(value);
  }
  return result as unknown as UrlParts;
}

/** `/`, `?` and `#` end the host (git 2.26.1+; before that a `?` let user-info run on). */
function isHostEnd(byte: number): boolean {
  return byte === SLASH || byte === 0x3f || byte === 0x23;
}

function isControl(byte: number): boolean {
  return byte < 0x20 || byte === 0x7f;
}

/**
 * git's url_decode_mem: whatever comes before the first `:` is copied as it is (it
 * "skips the protocol part"; so `h%41:1` stays `h%41:1` while `h:1%41` becomes
 * `h:1A`), and after it `%XX` with two hex digits decodes unless it is `%00`. Any
 * other `%` is kept. `+` stays `+`.
 */
function urlDecode(bytes: Buffer): Buffer {
  const colon = bytes.indexOf(':');
  const out: number[] = colon > 0 ? [...bytes.subarray(0, colon)] : [];
  for (let i = colon > 0 ? colon : 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 0x25 && i + 2 < bytes.length) {
      const value = (hex(bytes[i + 1]!) << 4) | hex(bytes[i + 2]!);
      if (value > 0) {
        out.push(value);
        i += 2;
        continue;
      }
    }
    out.push(byte);
  }
  return Buffer.from(out);
}

/** A hex digit's value, or -1 (which poisons the combined value, as git's hex2chr does). */
function hex(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}
