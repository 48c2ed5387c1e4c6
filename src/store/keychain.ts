// The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager)
// through @napi-rs/keyring. One item per (target, username): service
// `git-credential-pat:<protocol>://<host>[/<path>]`, account = the git username.
import { AsyncEntry, findCredentialsAsync, type EntryOptions } from '@napi-rs/keyring';
import { markAbandonedNativeWork } from '../exit.js';
import { serviceName, type Secret, type Target } from '../credential.js';
import { decodeSecret, encodeSecret } from '../secret-codec.js';
import { KeychainUnavailableError, type Account, type CredentialStore } from './credential-store.js';
import { IndexFile, removeRow, upsertRow } from './index-file.js';

// Without the pin, Linux silently falls back to the kernel keyring, which the next
// process cannot read. Other platforms ignore the option.
const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

/**
 * git waits for us; a keychain that does not answer must not hang a fetch. Where a
 * person can answer an unlock prompt (a Linux desktop, macOS, Windows), give them
 * time to type; on a headless Linux machine no prompt can appear, so fail fast.
 */
export function keychainTimeoutMs(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): number {
  const canPrompt = platform !== 'linux' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
  return canPrompt ? 60_000 : 2000;
}

export class KeychainStore implements CredentialStore {
  constructor(
    private readonly index: IndexFile,
    private readonly timeoutMs = keychainTimeoutMs(),
  ) {}

  async read(target: Target, username: string): Promise<Secret | undefined> {
    const text = await this.call((signal) => entry(target, username).getPassword(signal));
    return text === null ? undefined : decodeSecret(text);
  }

  async accounts(target: Target): Promise<Account[]> {
    const found = await this.call((signal) => findCredentialsAsync(serviceName(target), null, signal));
    return found.map(({ account, password }) => ({ username: account, secret: decodeSecret(password) }));
  }

  async write(target: Target, username: string, secret: Secret): Promise<void> {
    await this.call((signal) => entry(target, username).setPassword(encodeSecret(secret), signal));
    this.index.update((rows) => upsertRow(rows, { target, username, storedAt: Date.now() }));
  }

  async remove(target: Target, username: string): Promise<boolean> {
    const removed = await this.call((signal) => entry(target, username).deletePassword(signal));
    this.index.update((rows) => removeRow(rows, target, username));
    return removed;
  }

  async targetsFor(protocol: string, host: string): Promise<Target[]> {
    const targets = new Map<string, Target>();
    for (const { target } of this.index.rows()) {
      if (target.protocol === protocol && target.host === host) targets.set(serviceName(target), target);
    }
    return [...targets.values()];
  }

  async mostRecent(target: Target, usernames: readonly string[]): Promise<string | undefined> {
    const service = serviceName(target);
    let best: { username: string; storedAt: number } | undefined;
    for (const row of this.index.rows()) {
      if (serviceName(row.target) !== service || !usernames.includes(row.username)) continue;
      if (!best || row.storedAt > best.storedAt) best = row;
    }
    return best?.username;
  }

  private async call<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        markAbandonedNativeWork();
        reject(new KeychainUnavailableError(
          `the keychain did not answer within ${this.timeoutMs / 1000} s; check that your Secret Service (gnome-keyring, KeePassXC...) is running and not waiting on a prompt`,
        ));
      }, this.timeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([operation(controller.signal), timeout]);
    } catch (error) {
      throw error instanceof KeychainUnavailableError ? error : new KeychainUnavailableError(explainKeychainError(error));
    } finally {
      clearTimeout(timer);
    }
  }
}

function entry(target: Target, username: string): AsyncEntry {
  return new AsyncEntry(serviceName(target), username, ENTRY_OPTIONS);
}

/** Turns the library's platform errors into one line a person can act on. Never includes a secret: errors carry none. */
export function explainKeychainError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/DBUS_SESSION_BUS_ADDRESS|autolaunch|Failed to connect|connection refused|No such file or directory/i.test(message)) {
    return 'cannot reach the Secret Service: there is no D-Bus session here; run inside a desktop session, or start one with scripts/with-keyring (headless machines, containers, WSL)';
  }
  if (/locked|prompt was dismissed|IsLocked/i.test(message)) {
    return 'the keyring is locked and cannot be unlocked from here; unlock it (log in to the desktop, or run under scripts/with-keyring) and try again';
  }
  if (/no result found|ServiceUnknown|org\.freedesktop\.secrets/i.test(message)) {
    return 'no Secret Service keyring is available; install and start one (gnome-keyring or KeePassXC), or use scripts/with-keyring';
  }
  return `the keychain failed: ${firstLine(message)}`;
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? '';
}
