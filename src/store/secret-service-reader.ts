// The Linux read path without the native binding: our own D-Bus client asks the
// Secret Service for the items @napi-rs/keyring wrote (attributes `service` and
// `username`) and reads their secrets through a dh-ietf1024 session. It answers only
// what it can answer exactly as the binding would: one unlocked item, or none at
// all. Anything else (a locked item, duplicates, an address it cannot open, a
// service that refuses, bytes that make no sense) is handed to the binding, which
// then fails or prompts exactly as it always has.
import { openableBusSocket, type BusSocket } from './dbus/address.js';
import { BusConnection } from './dbus/connection.js';
import { BusUnreachableError, DBusErrorReply } from './dbus/errors.js';
import { SecretServiceClient, type SecretSession, type TransferAlgorithm } from './dbus/secret-service.js';
import { answer, askBinding, personCanAnswer, promptDeadlineMs, refuse, type OwnResult } from './own-client-result.js';
import { collectionLocked, searchUnlocked } from './secret-service-unlock.js';

/** The answer, why the binding must be asked instead, or what the service wants first. */
export type ReadResult<T> = OwnResult<T>;

export interface SecretReader {
  get(service: string, account: string, signal: AbortSignal): Promise<ReadResult<string | null>>;
  find(service: string, signal: AbortSignal): Promise<ReadResult<Array<{ account: string; password: string }>>>;
  /** Every item of ours whatever index wrote it (list, logout); the binding cannot list, so 'ask-binding' means "cannot list". */
  /** `registerFirst`: gnome-keyring serves (SecretServiceClient.register); its questions here are all properties. */
  itemsUnder(prefix: string, signal: AbortSignal, registerFirst?: boolean): Promise<ReadResult<Array<{ service: string; account: string }>>>;
  /** true only when no item matches and every collection is unlocked: then, and only then, it is gone. */
  gone(service: string, account: string, signal: AbortSignal): Promise<ReadResult<boolean>>;
  /** Ends the transfer session and the connection, if any (the next read opens them again). */
  release?(): Promise<void>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface Link {
  readonly client: SecretServiceClient;
  /** A transfer session, asked for only once a search found something to read. */
  session(): Promise<SecretSession>;
  /** The session, if one was asked for. */
  opened(): Promise<SecretSession> | undefined;
}

/** undefined when the environment names no bus this client can open exactly. */
export function secretServiceReader(env: NodeJS.ProcessEnv, nodeVersion = process.versions.node, { person = personCanAnswer(env) } = {}): SecretReader | undefined {
  const socket = openableBusSocket(env.DBUS_SESSION_BUS_ADDRESS, nodeVersion);
  return socket && new SecretServiceReader(socket, 'plain', person, promptDeadlineMs(env));
}

export class SecretServiceReader implements SecretReader {
  private link: Link | undefined;

  constructor(
    private readonly socket: BusSocket,
    private readonly algorithm: TransferAlgorithm = 'plain',
    /** A person can answer the service's own prompt: then it is run, as libsecret does. */
    private readonly person = false,
    private readonly promptMs = 2000,
  ) {}

  async get(service: string, account: string, signal: AbortSignal): Promise<ReadResult<string | null>> {
    return this.guard(async ({ client, session }) => {
      const found = await searchUnlocked(client, { service, username: account }, this.person, this.promptMs);
      if ('want' in found) return refuse(found.want);
      const [item, ...more] = found.unlocked;
      if (item === undefined) return answer(null);
      if (more.length > 0) return askBinding('several items match');
      const secret = (await client.getSecrets([item], await session())).get(item);
      const text = secret && decode(secret);
      if (text === '' && (await collectionLocked(client, item))) return refuse('locked');
      return text === undefined ? askBinding('the secret did not decrypt as UTF-8 text') : answer(text);
    }, signal);
  }

  async find(service: string, signal: AbortSignal): Promise<ReadResult<Array<{ account: string; password: string }>>> {
    return this.guard(async ({ client, session }) => {
      const found = await searchUnlocked(client, { service }, this.person, this.promptMs);
      if ('want' in found) return refuse(found.want);
      if (found.unlocked.length === 0) return answer([]);
      // One round trip for all of it: the secrets and every item's attributes.
      const [secrets, ...attributes] = await Promise.all([
        session().then((s) => client.getSecrets(found.unlocked, s)),
        ...found.unlocked.map((item) => client.itemAttributes(item)),
      ]);
      const accounts: Array<{ account: string; password: string }> = [];
      for (const [i, item] of found.unlocked.entries()) {
        const account = attributes[i]?.get('username');
        const secret = secrets.get(item);
        const password = secret && decode(secret);
        if (account === undefined || password === undefined) return askBinding('an item lacks a username or a readable secret');
        // KWallet hands out an empty secret for an item of a closed wallet: that is no password.
        if (password === '' && (await collectionLocked(client, item))) return refuse('locked');
        accounts.push({ account, password });
      }
      return answer(accounts);
    }, signal);
  }

  /**
   * Every item whose `service` attribute starts with `prefix` (our namespace), with
   * its account, whichever index wrote it: keychain APIs only look up exact
   * services, so this is how `list` and `logout` can find what no index names.
   * Read from each collection's Items, not from a search with no attributes:
   * KeePassXC answers that search with nothing. A locked collection might hold
   * items of ours, so one hands over ('ask-binding': cannot list).
   */
  async itemsUnder(prefix: string, signal: AbortSignal, registerFirst = false): Promise<ReadResult<Array<{ service: string; account: string }>>> {
    return this.guard(async ({ client }) => {
      if (registerFirst) await client.register();
      const collections = await client.collections();
      const locked = await Promise.all(collections.map((c) => client.collectionLocked(c)));
      if (locked.some(Boolean)) return askBinding('a collection is locked');
      const items = (await Promise.all(collections.map((c) => client.collectionItems(c)))).flat();
      const attributes = await Promise.all(items.map((item) => client.itemAttributes(item)));
      const ours: Array<{ service: string; account: string }> = [];
      for (const attrs of attributes) {
        const service = attrs.get('service');
        const account = attrs.get('username');
        if (service?.startsWith(prefix) && account !== undefined) ours.push({ service, account });
      }
      return answer(ours);
    }, signal);
  }

  /**
   * Whether this item is positively gone: a search for exactly its attributes finds
   * it neither locked nor unlocked, and every collection is unlocked (a locked one,
   * KeePassXC's above all, may hide its items from searches altogether). No
   * collection at all tells nothing either. The default collection locked is said
   * ('refuse'): the item may well be there, and the person can do something about it.
   */
  async gone(service: string, account: string, signal: AbortSignal): Promise<ReadResult<boolean>> {
    return this.guard(async ({ client }) => {
      const found = await client.searchItems({ service, username: account });
      if (found.locked.length > 0 || found.unlocked.length > 0) return answer(false);
      const collections = await client.collections();
      if (collections.length === 0) return answer(false);
      const locked = await Promise.all(collections.map((c) => client.collectionLocked(c)));
      if (!locked.some(Boolean)) return answer(true);
      // Where we store, locked: a KeePassXC database hides its items then, so this miss may be that.
      return (await client.aliasLocked('default').catch(() => undefined)) === true ? refuse('locked') : answer(false);
    }, signal);
  }

  /**
   * Closes the transfer session, then the connection. Before a write or delete of
   * ours: KeePassXC 2.7.4 died of SIGSEGV when a client that had read an item left,
   * session open, after another connection deleted or replaced it. Bounded: a service
   * that does not answer only loses its connection.
   */
  async release(): Promise<void> {
    const link = this.link;
    if (!link) return;
    this.link = undefined;
    const session = link.opened();
    if (session) {
      await Promise.race([
        session.then((s) => link.client.closeSession(s)).catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 500).unref()),
      ]);
    }
    link.client.bus.close();
  }

  /** Ends the connection (a process that exits needs not: the kernel closes it). */
  close(): void {
    this.link?.client.bus.close();
    this.link = undefined;
  }

  /**
   * Opens the connection once. The transfer session waits until a search has been
   * answered: gnome-keyring 42 registers a new client from an idle callback, and an
   * OpenSession handled before it finds no client and aborts the daemon on a NULL
   * reply (GLib-ERROR in g_variant_new; dmesg: trap int3). Sixty to a hundred
   * connections at once that sent OpenSession first killed it in most runs here;
   * a search answered first, in none (test/dbus-client.test.ts). A miss then opens
   * no session at all.
   */
  private connect(): Link {
    if (!this.link) {
      const client = new SecretServiceClient(BusConnection.open(this.socket));
      let session: Promise<SecretSession> | undefined;
      this.link = {
        client,
        session: () => (session ??= openSession(client, this.algorithm)),
        opened: () => session,
      };
    }
    return this.link;
  }

  private async guard<T>(operation: (link: Link) => Promise<ReadResult<T>>, signal: AbortSignal): Promise<ReadResult<T>> {
    const link = this.connect();
    // A caller that gives up (the keychain timeout) ends the connection, and with it every call in flight.
    const abandon = () => link.client.bus.close(new BusUnreachableError('aborted', 'ABORT_ERR'));
    signal.addEventListener('abort', abandon, { once: true });
    try {
      return await operation(link);
    } catch (error) {
      if (signal.aborted) throw error;
      if (error instanceof SessionRefused) return refuse('cannot-encrypt');
      const reason = error instanceof Error ? `${error.name}: ${error.message.split('\n', 1)[0]}` : 'failed';
      return askBinding(reason);
    } finally {
      signal.removeEventListener('abort', abandon);
    }
  }
}

/**
 * 'plain' by default: see SECURITY.md for why transfer encryption buys nothing
 * here and what it would cost. A service that refuses plain (KWallet) gets 'dh'.
 */
async function openSession(client: SecretServiceClient, algorithm: TransferAlgorithm): Promise<SecretSession> {
  try {
    return await client.openSession(algorithm);
  } catch (error) {
    if (!(algorithm === 'plain' && error instanceof DBusErrorReply && error.errorName === NOT_SUPPORTED)) throw error;
  }
  try {
    return await client.openSession('dh');
  } catch (error) {
    // KWallet without QCA's crypto plugins fails every dh session ("createDLGroup failed"), and refuses plain.
    if (error instanceof DBusErrorReply) throw new SessionRefused(error.message);
    throw error;
  }
}

/** The service refused every transfer session we can offer: no secret can be read through it. */
export class SessionRefused extends Error {
  override readonly name = 'SessionRefused';
}


const NOT_SUPPORTED = 'org.freedesktop.DBus.Error.NotSupported';

function decode(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
