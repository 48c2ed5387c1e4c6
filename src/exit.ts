// Ending the process. Node's normal exit joins the libuv thread pool, so a keychain
// call that never returns would keep us alive (and git waiting) until D-Bus gives
// up 25 s later. When such a call was abandoned we die by SIGPIPE instead: the one
// signal that neither git (run-command's wait_or_whine) nor the shell reports.
let abandonedNativeWork = false;

export function markAbandonedNativeWork(): void {
  abandonedNativeWork = true;
}

export function exitProcess(code: number): void {
  if (abandonedNativeWork && code !== 0) {
    // Node ignores SIGPIPE; removing the last listener makes libuv restore the default action.
    process.on('SIGPIPE', () => {});
    process.removeAllListeners('SIGPIPE');
    process.kill(process.pid, 'SIGPIPE');
  }
  process.exit(code);
}
