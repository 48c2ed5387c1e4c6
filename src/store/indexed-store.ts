// A CredentialStore made of two parts: a secret backend that can only look up exact
// (service, account) pairs (every OS keychain API), and a non-secret index that
// remembers which pairs exist, when each was stored, and what GitHub said about it.
import { accountName, sameTarget, serviceName, SERVICE_PREFIX, targetOfService, usernameOf, type Secret, type Target } from '../credential.js';
import { decodeSecret, encodeSecret } from '../secret-codec.js';
import { refuseTokenAsUsername } from '../token-username.js';
import {
  KeychainUnavailableError,
  WARNING_INTERVAL_MS,
  type Account,
  type CredentialStore,
  type Inventory,
  type MetadataChange,
  type StoredCredential,
  type TokenMetadata,
  type UnconfirmedRow,
} from './credential-store.js';
import { findRow, removeRow, storedRow, upsertRow, type IndexBackend, type IndexRow } from './index-file.js';
import { keepUnlessGone, knownUsernames } from './index-rule.js';

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
  /**
   * Whether the keychain positively says this item does not exist: a direct lookup
   * where nothing is locked. false when it exists, and also whenever that cannot be
   * told (a search that may leave items out): no index row may go on the strength of
   * a search that did not return it (src/store/index-rule.ts). Throws
   * KeychainUnavailableError, with the fix, where the item may be hidden by a lock.
   */
  confirmGone(service: string, account: string): Promise<boolean>;
}

export class IndexedStore implements CredentialStore {
  constructor(
    private readonly secrets: SecretBackend,
    private readonly index: IndexBackend,
    private readonly now: () => number = Date.now,
  ) {}

  async read(target: Target, username: string): Promise<Secret | undefined> {
    const text = await this.secrets.get(serviceName(target), accountName(username));
    if (text !== null) return decodeSecret(text);
    if (findRow(this.index.rows(), target, username)) await this.missingKnown(target, username);
    return undefined;
  }

  /**
   * The accounts the index knows for this target, each looked up directly; a search
   * only when it knows none, or none of them is there. Keychain searches are the least
   * reliable call there is (wine's Credential Manager matches only a trailing `*`, a
   * locked KeePassXC database hides its items), while a lookup by exact name is what
   * every keychain does well. With `reach` 'all' (erase), the search's accounts are
   * added to the index's, so an item stored under another index goes too.
   */
  async accounts(target: Target, reach: 'known' | 'all' = 'known'): Promise<Account[]> {
    const service = serviceName(target);
    const known = knownUsernames(this.index.rows(), target);
    const found: Account[] = [];
    for (const username of known) {
      const text = await this.secrets.get(service, accountName(username));
      if (text !== null) found.push({ username, secret: decodeSecret(text) });
    }
    if (found.length > 0 && reach === 'known') return found;
    if (known[0] !== undefined && found.length === 0) await this.missingKnown(target, known[0]);
    for (const { account, password } of await this.secrets.find(service)) {
      const username = usernameOf(account);
      if (!found.some((a) => a.username === username)) found.push({ username, secret: decodeSecret(password) });
    }
    return found;
  }

  async write(target: Target, username: string, secret: Secret, metadata: MetadataChange = 'drop'): Promise<void> {
    // Every way in (git's store, login, import) comes through here.
    refuseTokenAsUsername(username);
    await this.secrets.set(serviceName(target), accountName(username), encodeSecret(secret));
    this.index.update((rows) => storedRow(rows, target, username, this.now(), metadata));
  }

  async replace(target: Target, username: string, secret: Secret, metadata: TokenMetadata | 'keep'): Promise<void> {
    refuseTokenAsUsername(username);
    await this.secrets.set(serviceName(target), accountName(username), encodeSecret(secret));
    this.index.update((rows) => storedRow(rows, target, username, findRow(rows, target, username)?.storedAt ?? this.now(), metadata));
  }

  async remove(target: Target, username: string): Promise<boolean> {
    const removed = await this.secrets.delete(serviceName(target), accountName(username));
    this.index.update((rows) => removeRow(rows, target, username));
    return removed;
  }

  /**
   * An account the index knows was not found. A keychain that hides items while
   * locked (KeePassXC) says so here, as an error with its fix, rather than letting
   * the miss pass for "nothing stored"; gone, or where it cannot tell, it is a miss.
   */
  private async missingKnown(target: Target, username: string): Promise<void> {
    await this.secrets.confirmGone(serviceName(target), accountName(username));
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
   * cannot, `wholeKeychain` is false: only what this index names was looked at.
   * Every row is looked up directly; a row goes only when the keychain positively
   * says its item is gone, and one it cannot tell about is kept and reported.
   */
  async inventory(): Promise<Inventory> {
    const rows = this.index.rows();
    // Unreachable (no bus, locked and unable to prompt, too slow): said even when the
    // index records nothing, or an empty list would pass for an empty keychain.
    let unreadable: string | undefined;
    const items = await this.secrets.itemsUnder?.(SERVICE_PREFIX).catch((error: unknown) => {
      if (!(error instanceof KeychainUnavailableError)) throw error;
      unreadable = error.message;
      return undefined;
    });
    if (items === undefined && unreadable === undefined && rows.length === 0) {
      // Nothing listed and nothing recorded: one direct lookup tells an empty keychain
      // from one that cannot be reached (before the first unlock), as doctor does.
      try {
        await this.secrets.get(`${SERVICE_PREFIX}https://reachable.invalid`, '');
      } catch (error) {
        if (!(error instanceof KeychainUnavailableError)) throw error;
        unreadable = error.message;
      }
    }
    const listed: StoredCredential[] = [];
    const unconfirmed: UnconfirmedRow[] = [];
    const gone: IndexRow[] = [];
    for (const row of rows) {
      let found: Secret | 'gone' | 'unconfirmed' = 'unconfirmed';
      if (unreadable === undefined) {
        try {
          found = await this.lookUpRow(row);
        } catch (error) {
          // Locked or unreachable: one answer stands for every row (each would wait as long).
          if (!(error instanceof KeychainUnavailableError)) throw error;
          unreadable = error.message;
        }
      }
      if (found === 'gone') gone.push(row);
      else if (found === 'unconfirmed') unconfirmed.push({ target: row.target, username: row.username });
      else listed.push({ target: row.target, username: row.username, secret: found, storedAt: row.storedAt, ...(row.metadata ? { metadata: row.metadata } : {}), inIndex: true });
    }
    const seen = (service: string, username: string) => rows.some((r) => serviceName(r.target) === service && r.username === username);
    for (const { service, account } of unreadable === undefined ? (items ?? []) : []) {
      const target = targetOfService(service);
      const username = usernameOf(account);
      if (!target || serviceName(target) !== service || seen(service, username)) continue;
      const text = await this.secrets.get(service, account);
      if (text !== null) listed.push({ target, username, secret: decodeSecret(text), inIndex: false });
    }
    if (gone.length > 0) this.index.update((current) => keepUnlessGone(current, gone));
    return { credentials: listed, wholeKeychain: items !== undefined && unreadable === undefined, unconfirmed, ...(unreadable === undefined ? {} : { unreadable }) };
  }

  /** A row's item by direct lookup: its secret, 'gone' only when the keychain positively says so, else 'unconfirmed'. */
  private async lookUpRow(row: IndexRow): Promise<Secret | 'gone' | 'unconfirmed'> {
    const service = serviceName(row.target);
    const text = await this.secrets.get(service, accountName(row.username));
    if (text !== null) return decodeSecret(text);
    return (await this.secrets.confirmGone(service, accountName(row.username))) ? 'gone' : 'unconfirmed';
  }

  /** What status, doctor and the guide work from: a keychain that cannot be read is an error for them. */
  async list(): Promise<StoredCredential[]> {
    const { credentials, unreadable } = await this.inventory();
    if (unreadable !== undefined) throw new KeychainUnavailableError(unreadable);
    return credentials;
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

  /** Whether the index records this account at exactly this target (read only, no lock, no keychain call). */
  recorded(target: Target, username: string): boolean {
    return findRow(this.index.rows(), target, username) !== undefined;
  }

  /** Read only, no lock: true means a claim now would find today's reminder given already (warnedAt only grows). */
  warnedRecently(target: Target, username: string, nowMs: number): boolean {
    const row = findRow(this.index.rows(), target, username);
    return row !== undefined && warnedRecently(row, nowMs);
  }

  async claimDailyWarning(target: Target, username: string, nowMs: number): Promise<boolean> {
    let claimed = false;
    this.index.update((rows) => {
      const row = findRow(rows, target, username) ?? { target, username, storedAt: nowMs };
      if (warnedRecently(row, nowMs)) return rows;
      claimed = true;
      return upsertRow(rows, { ...row, warnedAt: nowMs });
    });
    return claimed;
  }
}

function warnedRecently(row: IndexRow, nowMs: number): boolean {
  return row.warnedAt !== undefined && nowMs - row.warnedAt < WARNING_INTERVAL_MS;
}
