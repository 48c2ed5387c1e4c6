// The few Secret Service calls this tool makes over its own D-Bus connection
// (freedesktop.org Secret Service API 0.2): open an encrypted session, search items
// by attribute, read their attributes and secrets, and ask about the collection.
import { expectBody, type BusConnection } from './connection.js';
import { createDhOffer, decryptSecret, DH_ALGORITHM } from './dh-session.js';
import { DBusErrorReply, DBusWireError } from './errors.js';
import { variant, type DBusValue, type Variant } from './wire.js';

export const SECRETS_NAME = 'org.freedesktop.secrets';
const SERVICE = { destination: SECRETS_NAME, path: '/org/freedesktop/secrets', interface: 'org.freedesktop.Secret.Service' } as const;
const PROPERTIES = 'org.freedesktop.DBus.Properties';
const ITEM = 'org.freedesktop.Secret.Item';
const COLLECTION = 'org.freedesktop.Secret.Collection';
/** ReadAlias's answer when no collection has the alias. */
const NO_OBJECT = '/';

export type TransferAlgorithm = 'dh' | 'plain';

export interface SearchResult {
  readonly unlocked: readonly string[];
  readonly locked: readonly string[];
}

/** An open transfer session; secrets read through it come back decrypted. */
export interface SecretSession {
  readonly path: string;
  /** The secret's bytes, or undefined when they do not decrypt. */
  open(parameters: Uint8Array, value: Uint8Array): Uint8Array | undefined;
}

const UNKNOWN_METHOD = 'org.freedesktop.DBus.Error.UnknownMethod';

/** Attributes no item has: a search for them answers nothing, cheaply. */
const PROBE = { 'git-credential-pat-probe': 'registration' } as const;
/** Tries of a search that meets gnome-keyring before it knows the client (pauses of 20 to 320 ms between). */
const SEARCH_TRIES = 6;

export class SecretServiceClient {
  /** Settled once a search was answered on this connection: gnome-keyring 42 then knows the client. */
  private registration: Promise<void> | undefined;

  constructor(readonly bus: BusConnection) {}

  /**
   * gnome-keyring 42 registers a new client from an idle callback. A question that
   * needs the client's session (a property, OpenSession) handled before that aborts
   * the daemon (GLib-ERROR: g_variant_new of NULL), losing every unlocked session; a
   * search handled before it answers UnknownMethod instead. So a connection whose
   * first question to gnome-keyring would be another one searches first, for
   * nothing, until a search is answered. Not for other services: a locked KeePassXC
   * set to unlock before searching would hold the search for a person.
   */
  register(): Promise<void> {
    this.registration ??= this.searchItems(PROBE).then(() => undefined);
    return this.registration;
  }

  /**
   * Items in every collection whose attributes include all of these. Asked again
   * after UnknownMethod, after a growing pause, a few times: gnome-keyring 42
   * registers a new client from an idle callback, and a SearchItems handled before
   * it finds no client and answers UnknownMethod (an OpenSession in that state
   * aborts the daemon, so the reader never opens a session before a search has been
   * answered). On a loaded daemon the callback can lag more than one round trip.
   */
  async searchItems(attributes: Readonly<Record<string, string>>): Promise<SearchResult> {
    let reply: Awaited<ReturnType<BusConnection['call']>>;
    for (let attempt = 1; ; attempt++) {
      try {
        reply = await this.bus.call({ ...SERVICE, member: 'SearchItems', signature: 'a{ss}', body: [Object.entries(attributes)] });
        break;
      } catch (error) {
        if (!(error instanceof DBusErrorReply && error.errorName === UNKNOWN_METHOD) || attempt >= SEARCH_TRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
      }
    }
    this.registration ??= Promise.resolve();
    const [unlocked, locked] = expectBody<[string[], string[]]>(reply, 'aoao');
    return { unlocked, locked };
  }

  /**
   * A transfer session: 'dh' encrypts each secret in transit
   * (dh-ietf1024-sha256-aes128-cbc-pkcs7, as libsecret does); 'plain' does not.
   */
  async openSession(algorithm: TransferAlgorithm = 'dh'): Promise<SecretSession> {
    if (algorithm === 'plain') {
      const reply = await this.bus.call({ ...SERVICE, member: 'OpenSession', signature: 'sv', body: ['plain', variant('s', '')] });
      const [, path] = expectBody<[Variant, string]>(reply, 'vo');
      return { path, open: (_parameters, value) => value };
    }
    const offer = createDhOffer();
    const reply = await this.bus.call({ ...SERVICE, member: 'OpenSession', signature: 'sv', body: [DH_ALGORITHM, variant('ay', offer.publicKey)] });
    const [output, path] = expectBody<[Variant, string]>(reply, 'vo');
    if (output.signature !== 'ay' || !(output.value instanceof Uint8Array)) throw new DBusWireError('OpenSession answered without a public key');
    const key = offer.deriveKey(output.value);
    return { path, open: (parameters, value) => decryptSecret(key, parameters, value) };
  }

  /** Ends a transfer session (Session.Close) rather than leaving it to the disconnect. */
  async closeSession(session: SecretSession): Promise<void> {
    await this.bus.call({ destination: SECRETS_NAME, path: session.path, interface: 'org.freedesktop.Secret.Session', member: 'Close' });
  }

  /** The secrets of these items (those the service returns: unlocked ones), by item path. */
  async getSecrets(items: readonly string[], session: SecretSession): Promise<Map<string, Uint8Array | undefined>> {
    const reply = await this.bus.call({ ...SERVICE, member: 'GetSecrets', signature: 'aoo', body: [items, session.path] });
    const [entries] = expectBody<[Array<[string, [string, Uint8Array, Uint8Array, string]]>]>(reply, 'a{o(oayays)}');
    return new Map(entries.map(([item, [, parameters, value]]) => [item, session.open(parameters, value)]));
  }

  /** An item's lookup attributes. */
  async itemAttributes(item: string): Promise<Map<string, string>> {
    const value = await this.property(item, ITEM, 'Attributes');
    if (value.signature !== 'a{ss}') throw new DBusWireError(`Attributes has type ${value.signature}`);
    return new Map(value.value as Array<[string, string]>);
  }

  /** Every collection the service has (Service.Collections). */
  async collections(): Promise<string[]> {
    const value = await this.property(SERVICE.path, SERVICE.interface, 'Collections');
    if (value.signature !== 'ao') throw new DBusWireError(`Collections has type ${value.signature}`);
    return value.value as string[];
  }

  /** A collection's Locked property. */
  async collectionLocked(collection: string): Promise<boolean> {
    const value = await this.property(collection, COLLECTION, 'Locked');
    if (value.signature !== 'b') throw new DBusWireError(`Locked has type ${value.signature}`);
    return value.value as boolean;
  }

  /** Every item of a collection (Collection.Items): no search, so nothing a search leaves out. */
  async collectionItems(collection: string): Promise<string[]> {
    const value = await this.property(collection, COLLECTION, 'Items');
    if (value.signature !== 'ao') throw new DBusWireError(`Items has type ${value.signature}`);
    return value.value as string[];
  }

  /**
   * Whether the collection behind an alias ('default' is where new items go) is
   * locked; undefined when no collection has that alias.
   */
  async aliasLocked(alias = 'default'): Promise<boolean | undefined> {
    const [path] = expectBody<[string]>(await this.bus.call({ ...SERVICE, member: 'ReadAlias', signature: 's', body: [alias] }), 'o');
    if (path === NO_OBJECT) return undefined;
    return this.collectionLocked(path);
  }

  private async property(path: string, iface: string, name: string): Promise<Variant> {
    const reply = await this.bus.call({ destination: SECRETS_NAME, path, interface: PROPERTIES, member: 'Get', signature: 'ss', body: [iface, name] });
    return expectBody<[Variant]>(reply, 'v')[0];
  }
}

export type { DBusValue };
