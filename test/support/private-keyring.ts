// A Secret Service of a test file's own, for tests that must use a fixed service name
// (github.com) which other files running at the same time also store items under.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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
