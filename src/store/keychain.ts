// The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager)
// through @napi-rs/keyring. One item per (target, username): service
// `git-credential-pat:<protocol>://<host>[/<path>]`, account = the git username.
import type { EntryOptions } from '@napi-rs/keyring';
import { KeychainUnavailableError } from './credential-store.js';
import { IndexFile, defaultIndexPath } from './index-file.js';
import { currentKeychainPlatform, lockedMessage, noServiceMessage, unreachableMessage, type KeychainPlatform } from './keychain-messages.js';
import { IndexedStore, type SecretBackend } from './indexed-store.js';
import { keyring } from './keyring-binding.js';
import { moveWindowsState } from './state-move.js';
import type { SecretReader } from './secret-service-reader.js';
import { TracingSecrets, type Trace } from '../trace.js';
import { watchedCall } from './keychain-call.js';
import type { BusSeen, KeychainFailure, ServiceQuestions, Sighting } from './keychain-health.js';
import { SecretServiceQuestions } from './secret-service-questions.js';
import { secretServiceWriter, type SecretWriter } from './secret-service-writer.js';
import { personCanAnswer, type OwnResult } from './own-client-result.js';
import { adviceFor, KWALLET_API_OFF, type ProviderKind, type ServiceWant } from './secret-service-provider.js';

// Without the pin, Linux silently falls back to the kernel keyring, which the next
// process cannot read. Other platforms ignore the option.
const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

/** Native calls still running in libuv's thread pool: each one started through `native`. */
let nativeInFlight = 0;

/** A call into the binding, counted while it runs (CallWatch.nativePending). */
async function native<T>(call: () => Promise<T>): Promise<T> {
  nativeInFlight++;
  try {
    return await call();
  } finally {
    nativeInFlight--;
  }
}

/**
 * git waits for us; a keychain that does not answer must not hang a fetch. Where a
 * person can answer an unlock prompt (a Linux desktop, macOS, Windows), give them
 * time to type; on a headless Linux machine no prompt can appear, so fail fast.
 */
export function keychainTimeoutMs(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): number {
  return personCanAnswer(env, platform) ? 60_000 : 2000;
}

/**
 * With a trace, every keychain call is timed and traced (GIT_CREDENTIAL_PAT_TRACE).
 * With a reader (Linux: our own Secret Service client), reads try it first and fall
 * back to the binding when it cannot answer.
 */
export function openKeychainStore(env: NodeJS.ProcessEnv = process.env, trace?: Trace, reader?: SecretReader, alreadyWaitedMs = 0): IndexedStore {
  // Only Linux has a Secret Service on a bus: to ask what is wrong, and to write without the binding's 2 s reply timeout.
  const linux = process.platform === 'linux';
  const questions = linux ? () => new SecretServiceQuestions(env) : undefined;
  const secrets = new KeychainSecrets(keychainTimeoutMs(env), reader, trace, questions, linux ? secretServiceWriter(env) : undefined, linux ? 'may-hide' : 'exact', alreadyWaitedMs);
  moveWindowsState(env);
  return new IndexedStore(trace ? new TracingSecrets(secrets, trace) : secrets, new IndexFile(defaultIndexPath(env)));
}

export class KeychainSecrets implements SecretBackend {
  constructor(
    private readonly timeoutMs: number,
    private readonly reader?: SecretReader,
    private readonly trace?: Trace,
    private readonly questions?: () => ServiceQuestions & { close(): void },
    private readonly writer?: SecretWriter,
    /**
     * 'exact': the binding's lookup by name is authoritative, so a miss means gone
     * (Windows' CredRead, macOS's SecItemCopyMatching: a locked keychain fails or
     * prompts, it does not answer "not found"). 'may-hide': the Secret Service's
     * lookup is a search, which a locked collection can answer with nothing.
     */
    private readonly lookups: 'exact' | 'may-hide' = 'may-hide',
    /** How long the quick door already waited on this keychain, which did not answer: the first question comes that much sooner. */
    private readonly alreadyWaitedMs = 0,
  ) {}

  get(service: string, account: string): Promise<string | null> {
    return this.call(async (signal) =>
      this.own(await this.reader?.get(service, account, signal), () => native(() => new (keyring().AsyncEntry)(service, account, ENTRY_OPTIONS).getPassword(signal))),
    );
  }

  find(service: string): Promise<Array<{ account: string; password: string }>> {
    return this.call(async (signal) => this.own(await this.reader?.find(service, signal), () => native(() => keyring().findCredentialsAsync(service, null, signal))));
  }

  /**
   * Our own Secret Service client is the only way to list items: the keyring library
   * looks up exact services only. Without a reader (macOS, Windows, a bus it cannot
   * open), or when it hands over (a locked collection), undefined: "cannot list", which
   * list and logout say, rather than an empty keychain.
   */
  itemsUnder(prefix: string): Promise<Array<{ service: string; account: string }> | undefined> {
    const reader = this.reader;
    if (!reader) return Promise.resolve(undefined);
    return this.call(async (signal) => {
      const read = await reader.itemsUnder(prefix, signal, (await this.provider()) === 'gnome-keyring');
      if (read.kind === 'answer') return read.value;
      this.trace?.(`own Secret Service client: ${read.kind === 'refuse' ? read.want : read.reason}; the keyring library cannot list items`);
      return undefined;
    });
  }

  confirmGone(service: string, account: string): Promise<boolean> {
    const reader = this.reader;
    if (reader) {
      return this.call(async (signal) => {
        const read = await reader.gone(service, account, signal);
        if (read.kind === 'answer') return read.value;
        if (read.kind === 'refuse') throw new KeychainUnavailableError(await this.wantMessage(read.want));
        this.trace?.(`own Secret Service client: ${read.reason}; cannot tell whether the item is gone`);
        return false;
      });
    }
    if (this.lookups !== 'exact') return Promise.resolve(false);
    return this.call(async (signal) => (await native(() => new (keyring().AsyncEntry)(service, account, ENTRY_OPTIONS).getPassword(signal))) === null);
  }

  set(service: string, account: string, secret: string): Promise<void> {
    return this.call(async (signal) =>
      this.own(await this.writeAfterRelease(() => this.writer?.set(service, account, secret, signal)), () => native(() => new (keyring().AsyncEntry)(service, account, ENTRY_OPTIONS).setPassword(secret, signal))),
    );
  }

  /** Through our own client where it can: Item.Delete needs no transfer session, which the binding always opens. */
  delete(service: string, account: string): Promise<boolean> {
    return this.call(async (signal) =>
      this.own(await this.writeAfterRelease(() => this.writer?.delete(service, account, signal)), () => native(() => new (keyring().AsyncEntry)(service, account, ENTRY_OPTIONS).deletePassword(signal))),
    );
  }

  /** The reader lets go of its session first (see SecretServiceReader.release). */
  private async writeAfterRelease<T>(write: () => Promise<T> | undefined): Promise<T | undefined> {
    if (this.writer) await this.reader?.release?.();
    return write();
  }

  /** Our own client's result, or the binding's where it hands over; what the service wants, as one line for a person. */
  private async own<T>(result: OwnResult<T> | undefined, binding: () => Promise<T>): Promise<T> {
    if (result?.kind === 'answer') return result.value;
    if (result?.kind === 'refuse') throw new KeychainUnavailableError(await this.wantMessage(result.want));
    if (result) this.trace?.(`own Secret Service client: ${result.reason}; asking the keyring library`);
    return binding();
  }

  private async kwalletRuns(): Promise<boolean> {
    const questions = this.questions?.();
    try {
      return questions?.kwalletRuns ? await Promise.race([questions.kwalletRuns(), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000).unref())]) : false;
    } catch {
      return false;
    } finally {
      questions?.close();
    }
  }

  /** Who serves, asked of the bus: advice differs per provider, and so does how a listing opens (itemsUnder). */
  private async provider(): Promise<ProviderKind | undefined> {
    const questions = this.questions?.();
    try {
      return questions?.provider ? await Promise.race([questions.provider(), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1000).unref())]) : undefined;
    } catch {
      return undefined;
    } finally {
      questions?.close();
    }
  }

  /** Asked only when there is something to explain. */
  private async wantMessage(want: ServiceWant): Promise<string> {
    return adviceFor(await this.provider(), want, currentKeychainPlatform());
  }

  /** Slow or failing, the call is watched: see keychain-call.ts. */
  private async call<T>(operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await watchedCall(operation, {
        timeoutMs: this.timeoutMs,
        nativePending: () => nativeInFlight > 0,
        firstAskMs: this.timeoutMs - this.alreadyWaitedMs,
        busyLimitMs: keychainBusyLimitMs(this.timeoutMs),
        diskLimitMs: keychainDiskLimitMs(this.timeoutMs),
        questions: this.questions,
        trace: this.trace,
        explain: (failure, error, asked, ranMs, seen) => this.explain(failure, error, asked, ranMs, seen),
      });
    } catch (error) {
      throw error instanceof KeychainUnavailableError ? error : new KeychainUnavailableError(explainKeychainError(error));
    }
  }

  private async explain(failure: KeychainFailure, error: unknown, asked: boolean, ranMs: number, seen: Sighting): Promise<string> {
    const platform = currentKeychainPlatform();
    switch (failure) {
      case 'no-bus':
        return unreachableMessage(platform);
      case 'no-service':
        return (await this.kwalletRuns()) ? KWALLET_API_OFF : noServiceMessage(platform);
      case 'locked':
      case 'no-collection':
        return this.wantMessage(failure);
      case 'bus-not-answering':
        return `the D-Bus session bus did not answer within ${this.timeoutMs / 1000} s: ${silentBusDaemon(seen.busSeen)}, so the Secret Service cannot be reached; restart the session (log in again)`;
      case 'not-answering':
        return `the keychain did not answer within ${this.timeoutMs / 1000} s; check that your Secret Service (gnome-keyring, KeePassXC...) is running and not waiting on a prompt`;
      case 'bus-busy':
        return `the D-Bus session bus is running but did not answer within ${Math.round(ranMs / 1000)} s; try again when the machine is less busy`;
      case 'busy':
        return `the Secret Service is running but did not answer within ${Math.round(ranMs / 1000)} s; try again when the machine is less busy`;
      case 'library':
        // Asked, the service was found running and not locked: only the library's own words are left.
        return asked ? libraryFailure(error) : explainKeychainError(error);
    }
  }
}

/** What the kernel showed of a bus daemon that did not answer. */
export function silentBusDaemon(seen: BusSeen | undefined): string {
  const pid = seen && seen.pids.length > 0 ? ` (PID ${seen.pids.join(', ')})` : '';
  switch (seen?.as) {
    case 'stopped':
      return `its daemon${pid} is stopped`;
    case 'idle':
      return `its daemon${pid} is hung: it did no work while we waited`;
    default:
      return 'its daemon is stopped or hung';
  }
}

/**
 * A Secret Service found alive and working gets this long in all (run time) before
 * the helper stops waiting: a minute past the timeout at which it first asked.
 */
export function keychainBusyLimitMs(timeoutMs: number): number {
  return timeoutMs + 60_000;
}

/**
 * A Secret Service seen working on the disk gets this long instead: it works through
 * a queue of writes, each synced to a disk that may be slow (with gnome-keyring's disk
 * throttled to 15 writes a second here, 126 of 200 stores at once gave up at the
 * minute; given this long, none did, and the slowest took 164 s). A daemon hung on a
 * dead network disk also waits in the kernel, so it too is waited on this long.
 */
export function keychainDiskLimitMs(timeoutMs: number): number {
  return timeoutMs + 300_000;
}

/**
 * Turns the library's platform errors into one line a person can act on, where the
 * Secret Service could not be asked (macOS, Windows, a bus our client cannot open).
 * Never includes a secret: errors carry none.
 */
export function explainKeychainError(error: unknown, platform: KeychainPlatform = currentKeychainPlatform()): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/DBUS_SESSION_BUS_ADDRESS|autolaunch|Failed to connect|connection refused|No such file or directory/i.test(message)) {
    return unreachableMessage(platform);
  }
  // Whole words: libdbus's reply timeout says a reply may have been "blocked".
  if (/\blocked\b|prompt was dismissed|IsLocked/i.test(message)) {
    return lockedMessage(platform);
  }
  if (/no result found|ServiceUnknown|org\.freedesktop\.secrets/i.test(message)) {
    return noServiceMessage(platform);
  }
  return libraryFailure(error);
}

function libraryFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `the keychain failed: ${message.split(/\r?\n/, 1)[0] ?? ''}`;
}
