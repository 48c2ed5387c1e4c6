// Where the private bus started by `unlock` listens: one fixed path per user, so a
// git started anywhere (another SSH session, tmux, cron, an IDE's remote server)
// finds it with no environment set up.
import { join } from 'node:path';
import { stateDir } from '../store/index-file.js';

export interface BusLocation {
  /** The folder (0700, ours) that holds the socket. */
  readonly dir: string;
  readonly socket: string;
}

/**
 * `$XDG_RUNTIME_DIR/git-credential-pat/bus` (cleared at boot, like the daemons),
 * else a 0700 folder under our state directory.
 */
export function busLocation(env: NodeJS.ProcessEnv): BusLocation {
  return env.XDG_RUNTIME_DIR ? inFolder(join(env.XDG_RUNTIME_DIR, 'git-credential-pat')) : stateBusLocation(env);
}

/**
 * The state-directory location. The bus also listens here when it lives in
 * XDG_RUNTIME_DIR, because cron and some IDE servers run without that variable.
 */
export function stateBusLocation(env: NodeJS.ProcessEnv): BusLocation {
  return inFolder(join(stateDir(env), 'run'));
}

function inFolder(dir: string): BusLocation {
  return { dir, socket: join(dir, 'bus') };
}

export function busAddress(socket: string): string {
  return `unix:path=${socket}`;
}
