// Whether a person's terminal is attached: git's own prompt uses /dev/tty too.
import { closeSync, openSync } from 'node:fs';

export function terminalPresent(): boolean {
  try {
    closeSync(openSync('/dev/tty', 'r+'));
    return true;
  } catch {
    return false;
  }
}
