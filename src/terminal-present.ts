// Whether a person's terminal is attached, opened as git's own prompt opens it.
import { closeSync, openSync } from 'node:fs';
import { terminalDevices } from './platform.js';

export function terminalPresent(platform: NodeJS.Platform = process.platform): boolean {
  try {
    closeSync(openSync(terminalDevices(platform).input, 'r+'));
    return true;
  } catch {
    return false;
  }
}
