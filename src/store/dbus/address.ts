// Bus addresses (`unix:path=/run/user/1000/bus,guid=...;unix:abstract=...`), parsed
// into the sockets we know how to open. Pure. Anything else (tcp:, unixexec:,
// launchd:, autolaunch:) is not ours to handle: the caller falls back to the binding.

export type BusSocket = { readonly kind: 'path'; readonly path: string } | { readonly kind: 'abstract'; readonly name: string };

/** The sockets an address lists, in order, that this client can open; [] when none. */
export function parseBusAddress(address: string | undefined): BusSocket[] {
  if (!address) return [];
  const sockets: BusSocket[] = [];
  for (const entry of address.split(';')) {
    const colon = entry.indexOf(':');
    if (colon < 0 || entry.slice(0, colon) !== 'unix') continue;
    const keys = parseKeys(entry.slice(colon + 1));
    if (!keys) continue;
    const path = keys.get('path');
    const abstract = keys.get('abstract');
    // path and abstract exclude each other; a server-side key (tmpdir, dir, runtime) is no address to connect to.
    if (path !== undefined && abstract === undefined && path.startsWith('/')) sockets.push({ kind: 'path', path });
    else if (abstract !== undefined && path === undefined && abstract !== '') sockets.push({ kind: 'abstract', name: abstract });
  }
  return sockets;
}

/** `key=value,key=value` with %XX escapes; undefined when malformed. */
function parseKeys(text: string): Map<string, string> | undefined {
  const keys = new Map<string, string>();
  if (text === '') return keys;
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return undefined;
    const key = pair.slice(0, eq);
    const value = unescape(pair.slice(eq + 1));
    if (value === undefined || keys.has(key)) return undefined;
    keys.set(key, value);
  }
  return keys;
}

/** The specification's escaping: %XX for any byte, the rest as is; a value is UTF-8 bytes. */
function unescape(text: string): string | undefined {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) bytes.push(c);
    else return undefined;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

/** What `net.connect` takes: Linux spells an abstract socket with a leading NUL. */
export function connectPath(socket: BusSocket): string {
  return socket.kind === 'path' ? socket.path : `\0${socket.name}`;
}

/**
 * The first socket of the address that this Node reaches exactly; undefined when
 * none (the caller hands the work to the keyring library).
 */
export function openableBusSocket(address: string | undefined, nodeVersion = process.versions.node): BusSocket | undefined {
  const [socket] = parseBusAddress(address);
  if (!socket || (socket.kind === 'abstract' && !exactAbstractNames(nodeVersion))) return undefined;
  return socket;
}

/**
 * Node 20 pads an abstract socket's name with NULs to the full sun_path, so it
 * reaches a different name than the bus listens on (one anybody could take):
 * there, abstract addresses stay with the keyring library. Node 22 and later
 * use the name's exact length.
 */
export function exactAbstractNames(nodeVersion: string): boolean {
  return Number(nodeVersion.split('.', 1)[0]) >= 22;
}
