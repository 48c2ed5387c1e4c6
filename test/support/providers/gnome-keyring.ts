// gnome-keyring as this project already runs it headless: `git-credential-pat unlock`
// starts its private bus and gnome-keyring-daemon and unlocks the login keyring with
// a password given on stdin (the product's own path, and the advice it gives when the
// keyring is locked). Locking is what a desktop's screen lock does: Service.Lock on
// the login collection, the daemon still running.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { waitFor, withControl } from './session-bus.js';
import { mustRun, type ProviderHome } from './tools.js';

export interface GnomeKeyringInstance {
  readonly address: string;
  readonly collection: string;
  lock(): Promise<void>;
  unlock(): Promise<void>;
  /** The bus's and the keyring daemon's PIDs (detached: not our children). */
  pids(): Promise<number[]>;
  stop(): Promise<void>;
}

/** The login session that runs unlock and lock: no session bus of its own. */
function loginEnv(home: ProviderHome): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', ...home };
}

/** `helper`: bin/git-credential-pat.cjs of the build under test. */
export async function startGnomeKeyring(home: ProviderHome, helper: string): Promise<GnomeKeyringInstance> {
  const password = randomBytes(18).toString('hex');
  const unlock = () => mustRun(process.execPath, [helper, 'unlock', '--password-stdin'], loginEnv(home), password);
  await unlock();
  const address = `unix:path=${join(home.XDG_RUNTIME_DIR, 'git-credential-pat', 'bus')}`;
  const collection = await withControl(address, (control) =>
    waitFor("ReadAlias('default') to be the unlocked login keyring", 10_000, async () => {
      const path = await control.readAlias();
      return path && !(await control.locked(path)) ? path : undefined;
    }),
  );
  return {
    address,
    collection,
    lock: () => withControl(address, (control) => control.lock(collection)),
    unlock: async () => {
      await unlock();
      await withControl(address, (control) => waitFor(`${collection} to be unlocked`, 10_000, async () => ((await control.locked(collection)) ? undefined : true)));
    },
    pids: () => withControl(address, async (control) => [await control.nameOwnerPid('org.freedesktop.DBus'), await control.nameOwnerPid('org.freedesktop.secrets')]),
    stop: async () => {
      await mustRun(process.execPath, [helper, 'lock'], loginEnv(home));
    },
  };
}
