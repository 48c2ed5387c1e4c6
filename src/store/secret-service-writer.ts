// The Linux write path without the native binding's 2 s reply timeout. Under load
// (two hundred helpers at once) the Secret Service answers late; the binding gives
// up on each call after 2 s while the service still does the work, every retry
// adds a request, and a burst collapses. Through our own D-Bus client the helper
// waits as long as keychain-call.ts finds the service alive. It writes the item the
// binding writes (same attributes, label and content type, replacing an item with
// the same attributes) into the default collection; gnome-keyring adds its generic
// xdg:schema attribute to ours, which no search of ours or the binding's looks at
// (test/dbus-client.test.ts shows each replaces the other's). It hands everything else to the
// binding: no default collection, a locked one, a prompt, a refusal, an address
// our client cannot open.
import { openableBusSocket, type BusSocket } from './dbus/address.js';
import { BusConnection, expectBody } from './dbus/connection.js';
import { SECRETS_NAME, SecretServiceClient } from './dbus/secret-service.js';
import { variant } from './dbus/wire.js';

/** Done, or why the binding must do it instead. */
export type WriteResult = { readonly kind: 'done' } | { readonly kind: 'ask-binding'; readonly reason: string };

export interface SecretWriter {
  set(service: string, account: string, secret: string, signal: AbortSignal): Promise<WriteResult>;
}

const SERVICE_PATH = '/org/freedesktop/secrets';
const NO_OBJECT = '/';

/** undefined when the environment names no bus this client can open exactly. */
export function secretServiceWriter(env: NodeJS.ProcessEnv): SecretWriter | undefined {
  const socket = openableBusSocket(env.DBUS_SESSION_BUS_ADDRESS);
  return socket && new SecretServiceWriter(socket);
}

/** The binding's label for an item (dbus-secret-service-keyring-store): shown by Seahorse and the like. */
export function itemLabel(service: string, account: string): string {
  return `keyring:${account}@${service}`;
}

export class SecretServiceWriter implements SecretWriter {
  constructor(private readonly socket: BusSocket) {}

  async set(service: string, account: string, secret: string, signal: AbortSignal): Promise<WriteResult> {
    const bus = BusConnection.open(this.socket, { signal });
    try {
      const client = new SecretServiceClient(bus);
      // The alias first, answered, then the session: never OpenSession as a new
      // client's first message to gnome-keyring 42 (see searchItems in dbus/secret-service.ts).
      // The collection's Locked is not asked: a locked collection refuses
      // CreateItem (IsLocked) or answers with a prompt, and the binding then handles it.
      // A new client's ReadAlias can also be handled before its registration, which
      // is what loads the aliases: then it answers "/" for a collection that exists.
      // Asked again, after that answer, it is registered.
      const readAlias = async () =>
        expectBody<[string]>(await bus.call({ destination: SECRETS_NAME, path: SERVICE_PATH, interface: 'org.freedesktop.Secret.Service', member: 'ReadAlias', signature: 's', body: ['default'] }), 'o')[0];
      let path = await readAlias();
      if (path === NO_OBJECT) path = await readAlias();
      if (path === NO_OBJECT) return askBinding('no default collection');
      const session = await client.openSession('plain');
      const properties = [
        ['org.freedesktop.Secret.Item.Label', variant('s', itemLabel(service, account))],
        ['org.freedesktop.Secret.Item.Attributes', variant('a{ss}', [['service', service], ['username', account]])],
      ];
      const reply = await bus.call({
        destination: SECRETS_NAME,
        path,
        interface: 'org.freedesktop.Secret.Collection',
        member: 'CreateItem',
        signature: 'a{sv}(oayays)b',
        body: [properties, [session.path, new Uint8Array(0), new TextEncoder().encode(secret), 'application/octet-stream'], true],
      });
      const [item, prompt] = expectBody<[string, string]>(reply, 'oo');
      if (item === NO_OBJECT || prompt !== NO_OBJECT) return askBinding('the service wants a prompt');
      return { kind: 'done' };
    } catch (error) {
      if (signal.aborted) throw error;
      return askBinding(error instanceof Error ? `${error.name}: ${error.message.split('\n', 1)[0]}` : 'failed');
    } finally {
      bus.close();
    }
  }
}

function askBinding(reason: string): WriteResult {
  return { kind: 'ask-binding', reason };
}
