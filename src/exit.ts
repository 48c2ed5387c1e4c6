// Ending the process. Node's normal exit joins the libuv thread pool, so a keychain
// call that never returns would keep us alive (and git waiting) until D-Bus gives
// up 25 s later. When such a call was abandoned we die by a signal instead: SIGPIPE,
// the one that neither git (run-command's wait_or_whine) nor the shell reports, or on
// Windows, which has no SIGPIPE, SIGKILL (src/platform.ts).
import { abandonSignal } from './platform.js';

let abandonedNativeWork = false;

export function markAbandonedNativeWork(): void {
  abandonedNativeWork = true;
}

/**
 * `statusUnread`: git never looks at a helper's exit status, so the door dies by
 * SIGPIPE after a success too (a get answered from the environment once the keychain
 * timed out). A command's status is its contract: there only a failure does.
 */
export function exitProcess(code: number, statusUnread = false): void {
  if (abandonedNativeWork && (code !== 0 || statusUnread)) {
    const signal = abandonSignal(process.platform);
    if (signal === 'SIGPIPE') {
      // Node ignores SIGPIPE; removing the last listener makes libuv restore the default action.
      process.on('SIGPIPE', () => {});
      process.removeAllListeners('SIGPIPE');
    }
    process.kill(process.pid, signal);
  }
  process.exit(code);
}
