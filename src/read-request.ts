// Reads git's request from a stream: up to a blank line or EOF, whichever comes
// first, and never more than the limit (a runaway writer gets an error, not our memory).
import { MAX_REQUEST_BYTES, ProtocolError } from './protocol.js';

export async function readRequest(stream: NodeJS.ReadableStream, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(buffer);
    size += buffer.length;
    const sofar = Buffer.concat(chunks);
    const end = blankLineEnd(sofar);
    if (end >= 0) return sofar.subarray(0, end);
    if (size > limit) throw new ProtocolError(`request larger than ${limit} bytes`);
    chunks.splice(0, chunks.length, sofar);
  }
  return Buffer.concat(chunks);
}

/** The offset just past the first empty line, or -1. */
function blankLineEnd(buffer: Buffer): number {
  if (buffer[0] === 0x0a) return 1;
  const at = buffer.indexOf('\n\n');
  return at < 0 ? -1 : at + 2;
}
