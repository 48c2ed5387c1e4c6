// In-memory backends, for unit tests of logic only: the same IndexedStore logic as
// the keychain, with nothing persisted.
import type { IndexBackend, IndexRow } from './index-file.js';
import { IndexedStore, type SecretBackend } from './indexed-store.js';

export class MemorySecrets implements SecretBackend {
  private readonly items = new Map<string, Map<string, string>>();

  async get(service: string, account: string): Promise<string | null> {
    return this.items.get(service)?.get(account) ?? null;
  }

  async find(service: string): Promise<Array<{ account: string; password: string }>> {
    return [...(this.items.get(service) ?? new Map<string, string>())].map(([account, password]) => ({ account, password }));
  }

  async set(service: string, account: string, secret: string): Promise<void> {
    const accounts = this.items.get(service) ?? new Map<string, string>();
    accounts.set(account, secret);
    this.items.set(service, accounts);
  }

  async delete(service: string, account: string): Promise<boolean> {
    return this.items.get(service)?.delete(account) ?? false;
  }

  async confirmGone(service: string, account: string): Promise<boolean> {
    return !(this.items.get(service)?.has(account) ?? false);
  }

  async itemsUnder(prefix: string): Promise<Array<{ service: string; account: string }> | undefined> {
    return [...this.items].filter(([service]) => service.startsWith(prefix)).flatMap(([service, accounts]) => [...accounts.keys()].map((account) => ({ service, account })));
  }
}

export class MemoryIndex implements IndexBackend {
  private current: IndexRow[] = [];

  rows(): IndexRow[] {
    return [...this.current];
  }

  update(change: (rows: IndexRow[]) => IndexRow[]): void {
    this.current = change(this.rows());
  }
}

/** A store whose clock ticks once per call, so "most recent" is well defined in tests. */
export function memoryStore(secrets = new MemorySecrets(), index = new MemoryIndex()): IndexedStore {
  let clock = 1_700_000_000_000;
  return new IndexedStore(secrets, index, () => ++clock);
}
