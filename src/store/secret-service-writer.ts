// The Linux write paths without the native binding. Under load (two hundred helpers
// at once) the Secret Service answers late; the binding gives up on each call after
// 2 s while the service still does the work, every retry adds a request, and a burst
// collapses. Through our own D-Bus client the helper waits as long as
// keychain-call.ts finds the service alive. It writes the item the binding writes
// (same attributes, label and content type, replacing an item with the same
// attributes) into the default collection; gnome-keyring adds its generic
// xdg:schema attribute to ours, which no search of ours or the binding's looks at
// (test/dbus-client.test.ts shows each replaces the other's).
//
// Prompts are run as libsecret runs them (dbus/prompt.ts): KeePassXC answers every
// CreateItem with one, locked or not. No default collection yet (a new KWallet, a
// KeePassXC database exposing no group) is created, as libsecret does. Delete needs
// no transfer session at all, so it works where none can be opened (KWallet
// without QCA's plugins). The binding is left what our client cannot do exactly:
// an address it cannot open, a refusal it does not understand.
import { openableBusSocket, type BusSocket } from './dbus/address.js';
import { BusConnection, expectBody } from './dbus/connection.js';
import { NO_PROMPT, runPrompt } from './dbus/prompt.js';
import { SECRETS_NAME, SecretServiceClient, type SecretSession } from './dbus/secret-service.js';
import { variant, type Variant } from './dbus/wire.js';
import { answer, askBinding, personCanAnswer, promptDeadlineMs, refuse, type OwnResult } from './own-client-result.js';
import { collectionLocked, unlockLocked } from './secret-service-unlock.js';

/** Done, why the binding must do it instead, or what the service wants first. */
export type WriteResult<T = void> = OwnResult<T>;

export interface SecretWriter {
  set(service: string, account: string, secret: string, signal: AbortSignal): Promise<WriteResult>;
  /** true when an item was deleted, false when none was there. */
  delete(service: string, account: string, signal: AbortSignal): Promise<WriteResult<boolean>>;
}

const SERVICE = { destination: SECRETS_NAME, path: '/org/freedesktop/secrets', interface: 'org.freedesktop.Secret.Service' } as const;
const NO_OBJECT = '/';

/** undefined when the environment names no bus this client can open exactly. */
export function secretServiceWriter(env: NodeJS.ProcessEnv): SecretWriter | undefined {
  const socket = openableBusSocket(env.DBUS_SESSION_BUS_ADDRESS);
  return socket && new SecretServiceWriter(socket, promptDeadlineMs(env), personCanAnswer(env));
}

/** The binding's label for an item (dbus-secret-service-keyring-store): shown by Seahorse and the like. */
export function itemLabel(service: string, account: string): string {
  return `keyring:${account}@${service}`;
}

export class SecretServiceWriter implements SecretWriter {
  constructor(
    private readonly socket: BusSocket,
    /** How long a prompt may take before it is dismissed (promptDeadlineMs). */
    private readonly promptMs = 2000,
    /** A person can answer the service's own prompts: locked items are then unlocked through one. */
    private readonly person = false,
  ) {}

  set(service: string, account: string, secret: string, signal: AbortSignal): Promise<WriteResult> {
    // KeePassXC 2.7.4 died of SIGSEGV, one store in a dozen or two, when a client
    // left with its transfer session open (libsecret's secret-tool closes it): close it.
    return this.session(signal, async (bus, client) => {
      const opened: SecretSession[] = [];
      const openSession = async () => {
        const session = await client.openSession('plain');
        opened.push(session);
        return session;
      };
      try {
        return await this.write(bus, client, openSession, service, account, secret);
      } finally {
        for (const session of opened) await client.closeSession(session).catch(() => undefined);
      }
    });
  }

  private async write(
    bus: BusConnection,
    client: SecretServiceClient,
    openSession: () => Promise<SecretSession>,
    service: string,
    account: string,
    secret: string,
  ): Promise<WriteResult> {
    // A search first, answered, then the session: never OpenSession as a new
    // client's first message to gnome-keyring 42 (see searchItems in dbus/secret-service.ts).
    let found = await client.searchItems({ service, username: account });
    if (found.locked.length > 0) {
      const want = await unlockLocked(client, found.locked, this.person, this.promptMs);
      if (want) return refuse(want);
      found = await client.searchItems({ service, username: account });
      if (found.locked.length > 0) return refuse('locked');
    }
    const value = new TextEncoder().encode(secret);
    if (found.unlocked.length > 0) {
      // An existing item gets its new secret in place: KeePassXC answers a CreateItem
      // that would replace one with a prompt that wants a person, even unlocked.
      const session = await openSession();
      for (const item of found.unlocked) {
        await bus.call({
          destination: SECRETS_NAME,
          path: item,
          interface: 'org.freedesktop.Secret.Item',
          member: 'SetSecret',
          signature: '(oayays)',
          body: [[session.path, new Uint8Array(0), value, 'application/octet-stream']],
        });
      }
      return answer(undefined);
    }
    // The collection's Locked is not asked: a locked collection refuses CreateItem
    // (IsLocked) or answers with a prompt.
    const collection = await this.defaultCollection(bus);
    if (collection.kind !== 'answer') return collection;
    const session = await openSession();
    const properties = [
      ['org.freedesktop.Secret.Item.Label', variant('s', itemLabel(service, account))],
      ['org.freedesktop.Secret.Item.Attributes', variant('a{ss}', [['service', service], ['username', account]])],
    ];
    const reply = await bus.call({
      destination: SECRETS_NAME,
      path: collection.value,
      interface: 'org.freedesktop.Secret.Collection',
      member: 'CreateItem',
      signature: 'a{sv}(oayays)b',
      body: [properties, [session.path, new Uint8Array(0), value, 'application/octet-stream'], true],
    });
    const [item, prompt] = expectBody<[string, string]>(reply, 'oo');
    if (prompt === NO_PROMPT) return item === NO_OBJECT ? askBinding('CreateItem made no item') : answer(undefined);
    // KeePassXC answers every CreateItem with a prompt, which completes without a person.
    const outcome = await runPrompt(bus, prompt, this.promptMs);
    if (outcome.kind === 'completed') return answer(undefined);
    return this.person ? askBinding(`the service's prompt was ${outcome.kind}`) : refuse(await this.lockOrConfirm(client, collection.value));
  }

  delete(service: string, account: string, signal: AbortSignal): Promise<WriteResult<boolean>> {
    return this.session(signal, async (bus, client) => {
      let found = await client.searchItems({ service, username: account });
      if (found.locked.length > 0) {
        const want = await unlockLocked(client, found.locked, this.person, this.promptMs);
        if (want) return refuse(want);
        found = await client.searchItems({ service, username: account });
        if (found.locked.length > 0) return refuse('locked');
      }
      for (const item of found.unlocked) {
        const reply = await bus.call({ destination: SECRETS_NAME, path: item, interface: 'org.freedesktop.Secret.Item', member: 'Delete' });
        const [prompt] = expectBody<[string]>(reply, 'o');
        if (prompt === NO_PROMPT) continue;
        const outcome = await runPrompt(bus, prompt, this.promptMs);
        if (outcome.kind !== 'completed') return this.person ? askBinding(`the service's prompt was ${outcome.kind}`) : refuse('confirmation');
      }
      return answer(found.unlocked.length > 0);
    });
  }

  /**
   * The collection behind the alias 'default', made when there is none. A new
   * client's ReadAlias can be handled before its registration, which is what loads
   * the aliases: then it answers "/" for a collection that exists; asked again,
   * after that answer, it is registered.
   */
  private async defaultCollection(bus: BusConnection): Promise<WriteResult<string>> {
    const readAlias = async () => expectBody<[string]>(await bus.call({ ...SERVICE, member: 'ReadAlias', signature: 's', body: ['default'] }), 'o')[0];
    let path = await readAlias();
    if (path === NO_OBJECT) path = await readAlias();
    if (path !== NO_OBJECT) return answer(path);
    const reply = await bus.call({
      ...SERVICE,
      member: 'CreateCollection',
      signature: 'a{sv}s',
      body: [[['org.freedesktop.Secret.Collection.Label', variant('s', 'Login')]], 'default'],
    });
    const [made, prompt] = expectBody<[string, string]>(reply, 'oo');
    if (made !== NO_OBJECT) return answer(made);
    if (prompt === NO_PROMPT) return refuse('no-collection');
    const outcome = await runPrompt(bus, prompt, this.promptMs);
    const result: Variant | undefined = outcome.kind === 'completed' ? outcome.result : undefined;
    if (result?.signature === 'o' && typeof result.value === 'string' && result.value !== NO_OBJECT) return answer(result.value);
    return refuse('no-collection');
  }

  private async lockOrConfirm(client: SecretServiceClient, collection: string) {
    try {
      return (await client.collectionLocked(collection)) ? ('locked' as const) : ('confirmation' as const);
    } catch {
      return 'locked' as const;
    }
  }

  private async session<T>(signal: AbortSignal, work: (bus: BusConnection, client: SecretServiceClient) => Promise<WriteResult<T>>): Promise<WriteResult<T>> {
    const bus = BusConnection.open(this.socket, { signal });
    try {
      return await work(bus, new SecretServiceClient(bus));
    } catch (error) {
      if (signal.aborted) throw error;
      return askBinding(error instanceof Error ? `${error.name}: ${error.message.split('\n', 1)[0]}` : 'failed');
    } finally {
      bus.close();
    }
  }
}
