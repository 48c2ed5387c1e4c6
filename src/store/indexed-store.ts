// A CredentialStore made of two parts: a secret backend that can only look up exact
// (service, account) pairs (every OS keychain API), and a non-secret index that
// remembers which pairs exist, when each was stored, and what GitHub said about it.
import { accountName, sameTarget, serviceName, SERVICE_PREFIX, targetOfService, usernameOf, type Secret, type Target } from '../credential.js';
import { decodeSecret, encodeSecret } from '../secret-codec.js';
import { refuseTokenAsUsername } from '../token-username.js';
import {
  WARNING_INTERVAL_MS,
  type Account,
  type CredentialStore,
  type Inventory,
  type MetadataChange,
  type StoredCredential,
  type TokenMetadata,
} from './credential-store.js';
import { findRow, removeRow, storedRow, upsertRow, type IndexBackend } from './index-file.js';

export interface SecretBackend {
  get(service: string, account: string): Promise<string | null>;
  find(service: string): Promise<Array<{ account: string; password: string }>>;
  set(service: string, account: string, secret: string): Promise<void>;
  delete(service: string, account: string): Promise<boolean>;
  /**
   * Every item whose service starts with `prefix`, read from the keychain itself;
   * absent (or undefined) where the platform cannot list items.
   */
  itemsUnder?(prefix: string): Promise<Array<{ service: string; account: string }> | undefined>;
}

export class IndexedStore implements CredentialStore {
  constructor(
    private readonly secrets: SecretBackend,
    private readonly index: IndexBackend,
    private readonly now: () => number = Date.now,
  ) {}

  async read(target: Target, username: string): Promise<Secret | undefined> {
    const text = await this.secrets.get(serviceName(target), accountName(username));
    return text === null ? undefined : decodeSecret(text);
  }

  async accounts(target: Target): Promise<Account[]> {
    const found = await this.secrets.find(serviceName(target));
    return found.map(({ account, password }) => ({ username: usernameOf(account), secret: decodeSecret(password) }));
  }

  async write(target: Target, username: string, secret: Secret, metadata: MetadataChange = 'drop'): Promise<void> {
    // Every way in (git's store, login, import) comes through here.
    refuseTokenAsUsername(username);
    await this.secrets.set(serviceName(target), accountName(username), encodeSecret(secret));
    this.index.update((rows) => storedRow(rows, target, username, this.now(), metadata));
  }

  async remove(target: Target, username: string): Promise<boolean> {
    const removed = await this.secrets.delete(serviceName(target), accountName(username));
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
    let best: { username: string; storedAt: number } | undefined;
    for (const row of this.index.rows()) {
      if (!sameTarget(row.target, target) || !usernames.includes(row.username)) continue;
      if (!best || row.storedAt > best.storedAt) best = row;
    }
    return best?.username;
  }

  /**
   * Everything in our namespace. The keychain is the truth: where the backend can list
   * its items (SecretBackend.itemsUnder), items no index row names are found too (a
   * token stored under another XDG_STATE_HOME, or an account the index lost), so that
   * `list` shows and `logout` can remove whatever `get` may answer with. Where it
   * cannot, `wholeKeychain` is false: only what this index names was looked at. Rows
   * whose item is gone are cleaned up.
   */
  async inventory(): Promise<Inventory> {
    const rows = this.index.rows();
    const byService = new Map<string, Target>();
    for (const row of rows) byService.set(serviceName(row.target), row.target);
    const items = await this.secrets.itemsUnder?.(SERVICE_PREFIX);
    for (const { service } of items ?? []) {
      const target = byService.has(service) ? undefined : targetOfService(service);
      if (target && serviceName(target) === service) byService.set(service, target);
    }
    const listed: StoredCredential[] = [];
    const gone: Array<{ target: Target; username: string }> = [];
    for (const [service, target] of byService) {
      const accounts = new Map((await this.secrets.find(service)).map((a) => [usernameOf(a.account), a.password]));
      const indexed = rows.filter((r) => sameTarget(r.target, target));
      for (const row of indexed) {
        const text = accounts.get(row.username);
        if (text === undefined) {
          gone.push(row);
          continue;
        }
        listed.push({
          target,
          username: row.username,
          secret: decodeSecret(text),
          storedAt: row.storedAt,
          ...(row.metadata ? { metadata: row.metadata } : {}),
          inIndex: true,
        });
      }
      for (const [username, text] of accounts) {
        if (!indexed.some((r) => r.username === username)) listed.push({ target, username, secret: decodeSecret(text), inIndex: false });
      }
    }
    if (gone.length > 0) {
      this.index.update((current) => gone.reduce((acc, g) => removeRow(acc, g.target, g.username), current));
    }
    return { credentials: listed, wholeKeychain: items !== undefined };
  }

  async list(): Promise<StoredCredential[]> {
    return (await this.inventory()).credentials;
  }

  async metadata(target: Target, username: string): Promise<TokenMetadata | undefined> {
    return findRow(this.index.rows(), target, username)?.metadata;
  }

  async setMetadata(target: Target, username: string, metadata: TokenMetadata): Promise<void> {
    this.index.update((rows) => {
      const row = findRow(rows, target, username);
      return row ? upsertRow(rows, { ...row, metadata }) : rows;
    });
  }

  async claimDailyWarning(target: Target, username: string, nowMs: number): Promise<boolean> {
    let claimed = false;
    this.index.update((rows) => {
      const row = findRow(rows, target, username) ?? { target, username, storedAt: nowMs };
      if (row.warnedAt !== undefined && nowMs - row.warnedAt < WARNING_INTERVAL_MS) return rows;
      claimed = true;
      return upsertRow(rows, { ...row, warnedAt: nowMs });
    });
    return claimed;
  }
}
