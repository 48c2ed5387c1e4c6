// An in-memory store for unit tests of logic only; nothing here persists.
import { sameTarget, serviceName, type Secret, type Target } from '../credential.js';
import type { Account, CredentialStore } from './credential-store.js';

interface Row {
  target: Target;
  username: string;
  secret: Secret;
  storedAt: number;
}

export class MemoryStore implements CredentialStore {
  private rows: Row[] = [];
  private clock = 0;

  async read(target: Target, username: string): Promise<Secret | undefined> {
    return this.find(target, username)?.secret;
  }

  async accounts(target: Target): Promise<Account[]> {
    return this.rows.filter((r) => sameTarget(r.target, target)).map(({ username, secret }) => ({ username, secret }));
  }

  async write(target: Target, username: string, secret: Secret): Promise<void> {
    const row = this.find(target, username);
    if (row) {
      row.secret = secret;
      row.storedAt = ++this.clock;
    } else {
      this.rows.push({ target, username, secret, storedAt: ++this.clock });
    }
  }

  async remove(target: Target, username: string): Promise<boolean> {
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => !(sameTarget(r.target, target) && r.username === username));
    return this.rows.length < before;
  }

  async targetsFor(protocol: string, host: string): Promise<Target[]> {
    const seen = new Map<string, Target>();
    for (const { target } of this.rows) {
      if (target.protocol === protocol && target.host === host) seen.set(serviceName(target), target);
    }
    return [...seen.values()];
  }

  async mostRecent(target: Target, usernames: readonly string[]): Promise<string | undefined> {
    const candidates = this.rows.filter((r) => sameTarget(r.target, target) && usernames.includes(r.username));
    candidates.sort((a, b) => b.storedAt - a.storedAt);
    return candidates[0]?.username;
  }

  /** Every credential, for assertions in tests. */
  all(): Array<{ target: Target; username: string; secret: Secret }> {
    return this.rows.map(({ target, username, secret }) => ({ target, username, secret }));
  }

  private find(target: Target, username: string): Row | undefined {
    return this.rows.find((r) => sameTarget(r.target, target) && r.username === username);
  }
}
