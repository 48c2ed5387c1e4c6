// The index remembers, it never decides: no row goes because a search did not return
// its item. Keychains whose searches leave items out, as measured in the field:
// wine's Credential Manager (CredEnumerate matches only a trailing `*`, so the
// binding's `*.{service}` search finds nothing while exact lookups work), and a
// locked KeePassXC database (every search and lookup comes back empty).
import { describe, expect, it } from 'vitest';
import type { Query, Target } from '../src/credential.js';
import { erase, get, store } from '../src/helper.js';
import { IndexedStore } from '../src/store/indexed-store.js';
import { keepUnlessGone, knownUsernames } from '../src/store/index-rule.js';
import { MemoryIndex, MemorySecrets } from '../src/store/memory.js';

const HOST: Target = { protocol: 'https', host: 'example.com' };
const OTHER: Target = { protocol: 'https', host: 'other.example.com' };

/** Exact lookups work; searches find nothing (wine's CredEnumerate with a leading `*`). */
class SearchBlindSecrets extends MemorySecrets {
  override async find(): Promise<Array<{ account: string; password: string }>> {
    return [];
  }
  override async itemsUnder(): Promise<undefined> {
    return undefined;
  }
}

/** A locked database that hides its items: nothing found, and it cannot say they are gone. */
class HidingSecrets extends MemorySecrets {
  locked = false;
  override async get(service: string, account: string): Promise<string | null> {
    return this.locked ? null : super.get(service, account);
  }
  override async find(service: string): Promise<Array<{ account: string; password: string }>> {
    return this.locked ? [] : super.find(service);
  }
  override async confirmGone(service: string, account: string): Promise<boolean> {
    return this.locked ? false : super.confirmGone(service, account);
  }
  override async itemsUnder(prefix: string): Promise<Array<{ service: string; account: string }> | undefined> {
    return this.locked ? undefined : super.itemsUnder(prefix);
  }
}

function storeOver<S extends MemorySecrets>(secrets: S): { store: IndexedStore; index: MemoryIndex; secrets: S } {
  let clock = 1_700_000_000_000;
  const index = new MemoryIndex();
  return { store: new IndexedStore(secrets, index, () => ++clock), index, secrets };
}

function query(target: Target, username?: string): Query {
  return { target, ...(username === undefined ? {} : { username }) } as Query;
}

describe('the index rule (pure)', () => {
  const row = (target: Target, username: string, storedAt: number) => ({ target, username, storedAt });

  it('drops exactly the rows said to be gone', () => {
    const rows = [row(HOST, 'alice', 1), row(HOST, 'bob', 2), row(OTHER, 'alice', 3)];
    expect(keepUnlessGone(rows, [{ target: HOST, username: 'alice' }])).toEqual([row(HOST, 'bob', 2), row(OTHER, 'alice', 3)]);
    expect(keepUnlessGone(rows, [])).toEqual(rows);
  });

  it('knows the usernames of a target, most recently stored first', () => {
    const rows = [row(HOST, 'alice', 1), row(OTHER, 'carol', 9), row(HOST, 'bob', 2), row({ ...HOST, path: 'a/b.git' }, 'dave', 5)];
    expect(knownUsernames(rows, HOST)).toEqual(['bob', 'alice']);
    expect(knownUsernames(rows, { ...HOST, path: 'a/b.git' })).toEqual(['dave']);
  });
});

describe('a keychain whose searches leave items out (wine)', () => {
  it('list keeps every row and shows every item, read by exact lookups', async () => {
    const { store: s, index } = storeOver(new SearchBlindSecrets());
    await s.write(HOST, 'alice', { password: 'one' });
    await s.write(OTHER, 'bob', { password: 'two' });
    const inventory = await s.inventory();
    expect(inventory.credentials.map((c) => [c.target.host, c.username, c.secret.password])).toEqual([
      ['example.com', 'alice', 'one'],
      ['other.example.com', 'bob', 'two'],
    ]);
    expect(inventory).toMatchObject({ wholeKeychain: false, unconfirmed: [] });
    expect(index.rows()).toHaveLength(2);
  });

  it('get with no username answers from the accounts the index knows, the most recent first', async () => {
    const { store: s } = storeOver(new SearchBlindSecrets());
    await store(s, { target: HOST, username: 'alice', secret: { password: 'one' } });
    await store(s, { target: HOST, username: 'bob', secret: { password: 'two' } });
    expect((await get(s, query(HOST))).answer).toEqual({ username: 'bob', secret: { password: 'two' } });
    expect((await get(s, query(HOST, 'alice'))).answer).toEqual({ username: 'alice', secret: { password: 'one' } });
  });

  it('erase with no username reaches the accounts the index knows', async () => {
    const { store: s, secrets } = storeOver(new SearchBlindSecrets());
    await store(s, { target: HOST, username: 'alice', secret: { password: 'one' } });
    expect(await erase(s, query(HOST))).toBe(1);
    expect(await secrets.get('git-credential-pat:https://example.com', 'alice')).toBeNull();
  });
});

describe('a keychain that is locked (KeePassXC with "unlock before search" off)', () => {
  it('list loses no row while locked, says what it could not read, and shows everything once unlocked', async () => {
    const { store: s, index, secrets } = storeOver(new HidingSecrets());
    await s.write(HOST, 'alice', { password: 'one' });
    secrets.locked = true;
    const locked = await s.inventory();
    expect(locked).toEqual({ credentials: [], wholeKeychain: false, unconfirmed: [{ target: HOST, username: 'alice' }] });
    expect(index.rows()).toHaveLength(1);
    secrets.locked = false;
    const open = await s.inventory();
    expect(open.credentials.map((c) => [c.username, c.inIndex])).toEqual([['alice', true]]);
    expect(open.unconfirmed).toEqual([]);
  });

  it('a row goes only once the unlocked keychain positively says its item is gone', async () => {
    const { store: s, index, secrets } = storeOver(new HidingSecrets());
    await s.write(HOST, 'alice', { password: 'one' });
    await s.write(HOST, 'bob', { password: 'two' });
    await secrets.delete('git-credential-pat:https://example.com', 'alice');
    const inventory = await s.inventory();
    expect(inventory.credentials.map((c) => c.username)).toEqual(['bob']);
    expect(index.rows().map((r) => r.username)).toEqual(['bob']);
  });
});

describe('the index and a search together', () => {
  it('an item no row names is still found by get (no index) and listed as not in the index', async () => {
    const { store: s, secrets } = storeOver(new MemorySecrets());
    await secrets.set('git-credential-pat:https://example.com', 'carol', 'three');
    expect((await get(s, query(HOST))).answer).toEqual({ username: 'carol', secret: { password: 'three' } });
    expect((await s.inventory()).credentials.map((c) => [c.username, c.inIndex])).toEqual([['carol', false]]);
  });

  it('when every account the index knows is gone, get still searches', async () => {
    const { store: s, secrets } = storeOver(new MemorySecrets());
    await s.write(HOST, 'alice', { password: 'one' });
    await secrets.delete('git-credential-pat:https://example.com', 'alice');
    await secrets.set('git-credential-pat:https://example.com', 'carol', 'three');
    expect((await get(s, query(HOST))).answer?.username).toBe('carol');
  });
});
