// Called by the helper door before it opens the store: points the keychain layer
// (libdbus inside @napi-rs/keyring, and our own Secret Service client) at the
// private bus `unlock` started, when there is one and the caller named no other bus.
import { statSync } from 'node:fs';
import { busAddress, busLocation } from './location.js';

/**
 * Sets DBUS_SESSION_BUS_ADDRESS in `env` (the real process environment in the door,
 * which libdbus reads) to the private bus when its socket exists and
 *  - no session bus is named, or
 *  - the one named is the standard per-user bus `$XDG_RUNTIME_DIR/bus`: on a server
 *    that bus can exist (systemd's user session) while its Secret Service is absent
 *    or locked with no one to prompt, and `unlock` only starts ours where no Secret
 *    Service answered.
 * Any other address (a desktop's own, dbus-run-session, a test's) is the caller's
 * choice and wins without a look. Costs at most one stat.
 */
export function discoverPrivateBus(env: NodeJS.ProcessEnv, stat: (path: string) => { isSocket(): boolean } | undefined = statOrNothing): boolean {
  const named = env.DBUS_SESSION_BUS_ADDRESS;
  if (named && named !== standardUserBus(env)) return false;
  const { socket } = busLocation(env);
  if (!stat(socket)?.isSocket()) return false;
  env.DBUS_SESSION_BUS_ADDRESS = busAddress(socket);
  return true;
}

function standardUserBus(env: NodeJS.ProcessEnv): string | undefined {
  return env.XDG_RUNTIME_DIR ? busAddress(`${env.XDG_RUNTIME_DIR}/bus`) : undefined;
}

function statOrNothing(path: string) {
  return statSync(path, { throwIfNoEntry: false });
}
