// The quick door's store (src/quick-door.ts): what a hit and an unchanged store need
// (lookups through our own Secret Service client, the index read), and nothing more.
// Whatever else an operation would do (write, delete, ask the binding, explain a
// locked keychain, warn once a day) is not done here: it throws HandOver, and the
// whole door does the operation from the start.
import type { Secret, Target } from '../credential.js';
import type { Account, CredentialStore, Inventory, StoredCredential, TokenMetadata } from './credential-store.js';
import type { IndexedStore, SecretBackend } from './indexed-store.js';
import type { SecretReader } from './secret-service-reader.js';
import type { OwnResult } from './own-client-result.js';
import { RunClock } from './run-clock.js';

/** Not an error: this operation is the whole door's to do. */
export class HandOver extends Error {
  constructor(readonly why: string) {
    super(`handed over: ${why}`);
    this.name = 'HandOver';
  }
}

/**
 * Reads through our own client only; any result but an answer hands over. Each call
 * has `deadlineMs` of this process's run time: past it the call's connection ends
 * and the whole door, with its own timeout and its questions, takes over.
 */
export class ReaderOnlySecrets implements SecretBackend {
  /** Run time spent on a call that did not answer within the deadline (then handed over). */
  waitedMs = 0;

  constructor(
    private readonly reader: SecretReader,
    private readonly deadlineMs: number,
  ) {}

  get(service: string, account: string): Promise<string | null> {
    return this.answered((signal) => this.reader.get(service, account, signal));
  }

  find(service: string): Promise<Array<{ account: string; password: string }>> {
    return this.answered((signal) => this.reader.find(service, signal));
  }

  set(): Promise<void> {
    return Promise.reject(new HandOver('a write'));
  }

  delete(): Promise<boolean> {
    return Promise.reject(new HandOver('a delete'));
  }

  confirmGone(): Promise<boolean> {
    return Promise.reject(new HandOver('an item the index knows was not found'));
  }

  private async answered<T>(call: (signal: AbortSignal) => Promise<OwnResult<T>>): Promise<T> {
    const controller = new AbortController();
    const clock = new RunClock();
    try {
      const result = await Promise.race([call(controller.signal), clock.after(this.deadlineMs).then(() => undefined)]);
      if (result === undefined) {
        this.waitedMs = clock.ranMs();
        controller.abort();
        throw new HandOver('the Secret Service did not answer in time');
      }
      if (result.kind !== 'answer') throw new HandOver(result.kind === 'refuse' ? result.want : result.reason);
      return result.value;
    } finally {
      clock.stop();
    }
  }
}

/** Lookups and index reads go to `store`; anything that would change something hands over. */
export class ReadOnlyStore implements CredentialStore {
  constructor(private readonly store: IndexedStore) {}

  read(target: Target, username: string): Promise<Secret | undefined> {
    return this.store.read(target, username);
  }

  recorded(target: Target, username: string): boolean {
    return this.store.recorded(target, username);
  }

  accounts(target: Target, reach?: 'known' | 'all'): Promise<Account[]> {
    return this.store.accounts(target, reach);
  }

  targetsFor(protocol: string, host: string): Promise<Target[]> {
    return this.store.targetsFor(protocol, host);
  }

  mostRecent(target: Target, usernames: readonly string[]): Promise<string | undefined> {
    return this.store.mostRecent(target, usernames);
  }

  metadata(target: Target, username: string): Promise<TokenMetadata | undefined> {
    return this.store.metadata(target, username);
  }

  write(): Promise<void> {
    return Promise.reject(new HandOver('a write'));
  }

  replace(): Promise<void> {
    return Promise.reject(new HandOver('a write'));
  }

  remove(): Promise<boolean> {
    return Promise.reject(new HandOver('a delete'));
  }

  inventory(): Promise<Inventory> {
    return Promise.reject(new HandOver('a listing'));
  }

  list(): Promise<StoredCredential[]> {
    return Promise.reject(new HandOver('a listing'));
  }

  setMetadata(): Promise<void> {
    return Promise.reject(new HandOver('an index write'));
  }

  // The once-a-day expiry reminder writes the index: the whole door claims it, under
  // the index lock. Already given today, there is nothing to claim (warnedAt only grows).
  async claimDailyWarning(target: Target, username: string, nowMs: number): Promise<boolean> {
    if (this.store.warnedRecently(target, username, nowMs)) return false;
    throw new HandOver('an expiry reminder');
  }
}
