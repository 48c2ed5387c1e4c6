// Bounds for tests that check "gives up in time, does not hang". Each bound is the
// deadline the code under test sets for itself plus a margin for what a loaded
// machine adds around it (starting Node, loading the bundle, the D-Bus round trip):
// six test runs share two cores here and CI runs the suite on three Nodes, so a
// bound a few hundred milliseconds above the deadline sinks good code. The margin is
// still far below the hang each test guards against (D-Bus gives up after 25 s).
import { spawnSync } from 'node:child_process';
import { keychainTimeoutMs } from '../../src/store/keychain.js';
import { HELPER } from './helper-process.js';

/** Process start-up and scheduling on a loaded 2-core machine, at least. */
export const LOAD_MARGIN_MS = 3000;

/** The hang a keychain test must beat: D-Bus's own method-call timeout. */
export const DBUS_CALL_TIMEOUT_MS = 25_000;

/**
 * What starting the helper costs on this machine right now: one `--version` run,
 * timed. A machine busy enough to take seconds for that takes them around the
 * keychain call too.
 */
export function startupMs(): number {
  const start = performance.now();
  spawnSync(process.execPath, [HELPER, '--version'], { stdio: 'ignore' });
  return performance.now() - start;
}

/**
 * How long a helper run with `env` may take to give up on a keychain that does not
 * answer: its own timeout, plus three start-ups as measured now (at least
 * LOAD_MARGIN_MS), always a second short of D-Bus's 25 s, which it must beat.
 */
export function keychainDeadlineMs(env: NodeJS.ProcessEnv = {}, platform: NodeJS.Platform = process.platform, startup = startupMs()): number {
  const timeout = keychainTimeoutMs(env, platform);
  if (timeout + LOAD_MARGIN_MS >= DBUS_CALL_TIMEOUT_MS) throw new Error(`a keychain timeout of ${timeout} ms cannot be told from D-Bus's ${DBUS_CALL_TIMEOUT_MS} ms`);
  return Math.min(timeout + Math.max(LOAD_MARGIN_MS, 3 * startup), DBUS_CALL_TIMEOUT_MS - 1000);
}
