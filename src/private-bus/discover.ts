// Called by the helper door before it opens the store: points the keychain layer
// (libdbus inside @napi-rs/keyring, and our own Secret Service client) at the
// private bus `unlock` started, when there is one and the caller named no other bus.
import { busAddress, busLocation } from './location.js';
import { trustedSocket } from './trusted-path.js';

/**
 * Sets DBUS_SESSION_BUS_ADDRESS in `env` (the real process environment in the door,
 * which libdbus reads) to the private bus when its socket exists and
 *  - no session bus is named, or
 *  - the one named is the standard per-user bus `$XDG_RUNTIME_DIR/bus`: on a server
 *    that bus can exist (systemd's user session) while its Secret Service is absent
 *    or locked with no one to prompt, and `unlock` only starts ours where no Secret
 *    Service answered.
 * The socket counts only when no other user could have put it there (trusted-path.ts),
 * and its real path is what is used. Any other address (a desktop's own,
 * dbus-run-session, a test's) is the caller's choice and wins without a look.
 */
export function discoverPrivateBus(env: NodeJS.ProcessEnv, trusted: (socket: string) => string | undefined = ownSocket): boolean {
  const named = env.DBUS_SESSION_BUS_ADDRESS;
  if (named && named !== standardUserBus(env)) return false;
  const real = trusted(busLocation(env).socket);
  if (real === undefined) return false;
  env.DBUS_SESSION_BUS_ADDRESS = busAddress(real);
  return true;
}

function ownSocket(socket: string): string | undefined {
  const uid = process.getuid?.();
  return uid === undefined ? undefined : trustedSocket(socket, uid);
}

function standardUserBus(env: NodeJS.ProcessEnv): string | undefined {
  return env.XDG_RUNTIME_DIR ? busAddress(`${env.XDG_RUNTIME_DIR}/bus`) : undefined;
}
