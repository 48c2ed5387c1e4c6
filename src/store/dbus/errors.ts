// What can go wrong talking to a bus, one class per way, so callers dispatch with
// `instanceof` and never by reading message text.

/** Bytes from the bus that break the D-Bus specification. */
export class DBusWireError extends Error {
  override readonly name = 'DBusWireError';
}

/** The bus could not be reached or went away: no socket, refused, closed, aborted. */
export class BusUnreachableError extends Error {
  override readonly name = 'BusUnreachableError';
  constructor(
    message: string,
    /** The errno code (ENOENT, ECONNREFUSED...) when the OS gave one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The bus refused our authentication (SASL REJECTED, or an unexpected answer). */
export class BusAuthError extends Error {
  override readonly name = 'BusAuthError';
}

/** An error reply from the peer: `org.freedesktop.DBus.Error.ServiceUnknown` and the like. */
export class DBusErrorReply extends Error {
  override readonly name = 'DBusErrorReply';
  constructor(
    /** The D-Bus error name. */
    readonly errorName: string,
    message: string,
  ) {
    super(message ? `${errorName}: ${message}` : errorName);
  }
}

/** No owner of the name the call was sent to (and none could be started). */
export const SERVICE_UNKNOWN = 'org.freedesktop.DBus.Error.ServiceUnknown';
