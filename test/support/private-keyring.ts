// A Secret Service of a test file's own, for tests that must use a fixed service name
// (github.com) which other files running at the same time also store items under, and
// for files whose list, logout, status or doctor act on every item of ours in the
// keychain (they read the keychain itself, not only their own HOME's index).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

const WITH_KEYRING = fileURLToPath(new URL('../../scripts/with-keyring', import.meta.url));

export interface PrivateKeyring {
  /** Put into a helper's environment to reach this keyring instead of the run's. */
  readonly env: { DBUS_SESSION_BUS_ADDRESS: string };
  close(): Promise<void>;
}

export function privateKeyring(): Promise<PrivateKeyring> {
  return new Promise((resolve, reject) => {
    // The session lives until its stdin closes: close() ends it, and so does our death.
    const child = spawn(WITH_KEYRING, ['--ephemeral', 'bash', '-c', 'echo "$DBUS_SESSION_BUS_ADDRESS"; exec cat >/dev/null'], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const closed = new Promise<void>((done) => child.on('close', () => done()));
    let out = '';
    child.on('error', reject);
    child.stdout.on('data', (data: Buffer) => {
      out += data.toString();
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      const address = out.slice(0, newline);
      if (!address) return reject(new Error('with-keyring gave no D-Bus address'));
      resolve({
        env: { DBUS_SESSION_BUS_ADDRESS: address },
        close: () => {
          child.stdin.end();
          return closed;
        },
      });
    });
    child.on('close', (code) => reject(new Error(`with-keyring ended early (${code})`)));
  });
}

/**
 * A keyring of the file's own (or the describe block's, called inside one), started
 * before its tests and stopped after them. `env` is
 * read inside tests or hooks (not at import time), and goes into every helper process,
 * git client and secret-tool call of the file.
 */
export function ownKeyring(): { readonly env: PrivateKeyring['env'] } {
  let keyring: PrivateKeyring | undefined;
  beforeAll(async () => {
    keyring = await privateKeyring();
  }, 30_000);
  afterAll(async () => {
    await keyring?.close();
  });
  return {
    get env() {
      if (!keyring) throw new Error("ownKeyring().env was read before the file's beforeAll started the keyring");
      return keyring.env;
    },
  };
}
