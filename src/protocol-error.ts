/** Input that is not a request git could have sent. Messages never quote a value. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}
