// Reads git's request as it arrives, keeping what we may need and nothing else, so
// that memory stays bounded without refusing what a real server makes git send.
// git caps none of its values; `wwwauth[]` carries the server's WWW-Authenticate
// headers, which can be long and many. We never use those, so a long line of an
// attribute we do not use is skipped, whatever its size, instead of being held or
// refused. Only the attributes we keep are capped. Pure: bytes in, bytes out.
import { ProtocolError } from './protocol-error.js';

/** The attributes get, store and erase read. Together they may not exceed MAX_REQUEST_BYTES. */
const USED = new Set(['protocol', 'host', 'path', 'username', 'password', 'url', 'password_expiry_utc', 'oauth_refresh_token']);

/** Larger requests of the attributes we use are refused rather than parsed: git's own lines are capped at 64 KiB. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** A line of an attribute we do not use that is longer than this is skipped (never held). */
export const MAX_OTHER_LINE_BYTES = 64 * 1024;

/** And past this many bytes of such lines in all, the rest are skipped too. */
const MAX_OTHER_BYTES = 1024 * 1024;

const LF = 0x0a;
const EQ = 0x3d;

export class RequestReader {
  private readonly kept: Buffer[] = [];
  private usedBytes = 0;
  private otherBytes = 0;
  /** The line being read, while we still hold it. */
  private line: Buffer[] = [];
  private lineBytes = 0;
  /** The key of the line being skipped, once we decided to skip it. */
  private skipping: string | undefined;
  private ended = false;
  /** Keys whose lines were skipped, and how many; for the trace. */
  readonly skipped = new Map<string, number>();

  /** Feeds bytes; true once the request has ended (a blank line). Bytes after it are ignored. */
  push(chunk: Uint8Array): boolean {
    let from = 0;
    while (!this.ended && from < chunk.length) {
      const lf = chunk.indexOf(LF, from);
      const piece = Buffer.from(chunk.buffer, chunk.byteOffset + from, (lf < 0 ? chunk.length : lf) - from);
      if (this.skipping === undefined) this.hold(piece);
      if (lf < 0) break;
      this.endLine();
      from = lf + 1;
    }
    return this.ended;
  }

  /** The kept lines, each ended by LF; at EOF a last line without LF counts too. */
  finish(): Buffer {
    if (!this.ended && (this.lineBytes > 0 || this.skipping !== undefined)) this.endLine();
    return Buffer.concat(this.kept);
  }

  private hold(piece: Buffer): void {
    if (piece.length === 0) return;
    this.line.push(Buffer.from(piece));
    this.lineBytes += piece.length;
    if (this.lineBytes <= MAX_OTHER_LINE_BYTES) return;
    const key = this.currentKey();
    if (key === undefined) throw new ProtocolError(`a line has no '=' in its first ${MAX_OTHER_LINE_BYTES} bytes`);
    if (USED.has(key)) {
      if (this.usedBytes + this.lineBytes > MAX_REQUEST_BYTES) throw new ProtocolError(`request larger than ${MAX_REQUEST_BYTES} bytes`);
      return;
    }
    this.skip(key);
  }

  private endLine(): void {
    if (this.skipping !== undefined) {
      this.skipping = undefined;
      return;
    }
    const line = Buffer.concat(this.line);
    this.line = [];
    this.lineBytes = 0;
    if (line.length === 0) {
      this.ended = true;
      return;
    }
    const eq = line.indexOf(EQ);
    const key = eq < 0 ? undefined : line.subarray(0, eq).toString('latin1');
    if (key !== undefined && !USED.has(key)) {
      if (this.otherBytes + line.length > MAX_OTHER_BYTES) return this.countSkipped(key);
      this.otherBytes += line.length + 1;
    } else {
      // A line without '=' is kept, so that parsing refuses it.
      this.usedBytes += line.length + 1;
      if (this.usedBytes > MAX_REQUEST_BYTES) throw new ProtocolError(`request larger than ${MAX_REQUEST_BYTES} bytes`);
    }
    this.kept.push(line, Buffer.of(LF));
  }

  private skip(key: string): void {
    this.line = [];
    this.lineBytes = 0;
    this.skipping = key;
    this.countSkipped(key);
  }

  private countSkipped(key: string): void {
    this.skipped.set(key, (this.skipped.get(key) ?? 0) + 1);
  }

  private currentKey(): string | undefined {
    const held = Buffer.concat(this.line);
    this.line = [held];
    const eq = held.indexOf(EQ);
    return eq < 0 ? undefined : held.subarray(0, eq).toString('latin1');
  }
}

/** A whole request at once (tests, and callers that already hold the bytes). */
export function keptRequest(input: Uint8Array): { kept: Buffer; skipped: ReadonlyMap<string, number> } {
  const reader = new RequestReader();
  reader.push(input);
  return { kept: reader.finish(), skipped: reader.skipped };
}
