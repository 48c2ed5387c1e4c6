// Bounds for tests that check "gives up in time, does not hang". Each bound is the
// deadline the code under test sets for itself plus a margin for what a loaded
// machine adds around it (starting Node, loading the bundle, the D-Bus round trip):
// six test runs share two cores here and CI runs the suite on three Nodes, so a
// bound a few hundred milliseconds above the deadline sinks good code. The margin is
// still far below the hang each test guards against (D-Bus gives up after 25 s).
import { keychainTimeoutMs } from '../../src/store/keychain.js';

/** Process start-up and scheduling on a loaded 2-core machine. */
export const LOAD_MARGIN_MS = 3000;

/** The hang a keychain test must beat: D-Bus's own method-call timeout. */
export const DBUS_CALL_TIMEOUT_MS = 25_000;

/** How long a helper run with `env` may take to give up on a keychain that does not answer. */
export function keychainDeadlineMs(env: NodeJS.ProcessEnv = {}, platform: NodeJS.Platform = process.platform): number {
  const bound = keychainTimeoutMs(env, platform) + LOAD_MARGIN_MS;
  // A bound at or past D-Bus's own timeout could not tell our timer from D-Bus's.
  if (bound >= DBUS_CALL_TIMEOUT_MS) throw new Error(`keychain deadline ${bound} ms proves nothing against D-Bus's ${DBUS_CALL_TIMEOUT_MS} ms`);
  return bound;
}
