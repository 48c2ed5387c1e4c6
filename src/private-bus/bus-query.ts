// The few questions `unlock`, `lock` and `doctor` ask a bus, through dbus-send (it
// ships with dbus-daemon), but a property of gnome-keyring's, asked with our own
// client. Management commands only: the helper door never asks.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { openableBusSocket, type BusSocket } from '../store/dbus/address.js';
import { BusConnection } from '../store/dbus/connection.js';
import { BusUnreachableError } from '../store/dbus/errors.js';
import { SecretServiceClient } from '../store/dbus/secret-service.js';
import { providerOfProcessName } from '../store/secret-service-provider.js';

const QUERY_TIMEOUT_MS = 5000;

/** Without dbus-send nothing can be asked: callers say which package brings it. */
export class DbusSendMissing extends Error {
  override readonly name = 'DbusSendMissing';
}

/** What a reply said, or why there was none. */
export type Reply = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly noBus: boolean; readonly message: string };

function dbusSend(address: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Reply> {
  return new Promise((resolve, reject) => {
    execFile(
      'dbus-send',
      [`--bus=${address}`, '--print-reply=literal', `--reply-timeout=${QUERY_TIMEOUT_MS}`, ...args],
      { env: { PATH: env.PATH ?? '/usr/bin:/bin', LANG: 'C' }, timeout: QUERY_TIMEOUT_MS + 1000 },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, text: stdout.trim() });
        const message = (stderr || error.message).trim().split('\n', 1)[0] ?? '';
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new DbusSendMissing());
        resolve({ ok: false, noBus: /Failed to open connection|Failed to connect|Failed to register/.test(message), message });
      },
    );
  });
}

const DRIVER = ['--dest=org.freedesktop.DBus', '/org/freedesktop/DBus'];
export const SECRETS = 'org.freedesktop.secrets';

/** undefined: no bus answers at this address. */
export async function nameHasOwner(address: string, name: string, env: NodeJS.ProcessEnv): Promise<boolean | undefined> {
  const reply = await dbusSend(address, [...DRIVER, 'org.freedesktop.DBus.NameHasOwner', `string:${name}`], env);
  if (!reply.ok) return reply.noBus ? undefined : false;
  return /boolean true/.test(reply.text);
}

/** The PID behind a bus name (org.freedesktop.DBus: the bus daemon itself). */
export async function ownerPid(address: string, name: string, env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const reply = await dbusSend(address, [...DRIVER, 'org.freedesktop.DBus.GetConnectionUnixProcessID', `string:${name}`], env);
  const pid = reply.ok ? Number(/uint32 (\d+)/.exec(reply.text)?.[1]) : NaN;
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The uid behind a bus name (org.freedesktop.DBus: the bus daemon itself). */
export async function ownerUid(address: string, name: string, env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const reply = await dbusSend(address, [...DRIVER, 'org.freedesktop.DBus.GetConnectionUnixUser', `string:${name}`], env);
  const uid = reply.ok ? Number(/uint32 (\d+)/.exec(reply.text)?.[1]) : NaN;
  return Number.isInteger(uid) && uid >= 0 ? uid : undefined;
}

/** A collection's Locked property; `said` is the bus's answer when the Secret Service does not say. */
export type CollectionLock = { readonly locked: boolean } | { readonly locked: undefined; readonly said: string };

export async function collectionLocked(address: string, path: string, env: NodeJS.ProcessEnv): Promise<CollectionLock> {
  // dbus-send's one question is its connection's first: asked of gnome-keyring 42, that can abort it.
  const socket = openableBusSocket(address);
  const pid = socket ? await ownerPid(address, SECRETS, env) : undefined;
  if (socket && pid !== undefined && servedByGnomeKeyring(pid)) return collectionLockedAfterSearch(socket, path);
  const reply = await dbusSend(address, [`--dest=${SECRETS}`, path, 'org.freedesktop.DBus.Properties.Get', 'string:org.freedesktop.Secret.Collection', 'string:Locked'], env);
  return reply.ok ? { locked: /boolean true/.test(reply.text) } : { locked: undefined, said: reply.message };
}

function servedByGnomeKeyring(pid: number): boolean {
  try {
    return providerOfProcessName(readFileSync(`/proc/${pid}/comm`, 'latin1')) === 'gnome-keyring';
  } catch {
    return false;
  }
}

/** Our own client: a search answered first (SecretServiceClient.register), then the question, on one connection. */
async function collectionLockedAfterSearch(socket: BusSocket, path: string): Promise<CollectionLock> {
  const bus = BusConnection.open(socket);
  const timer = setTimeout(() => bus.close(new BusUnreachableError(`no answer within ${QUERY_TIMEOUT_MS / 1000} s`)), QUERY_TIMEOUT_MS);
  try {
    const client = new SecretServiceClient(bus);
    await client.register();
    return { locked: await client.collectionLocked(path) };
  } catch (error) {
    return { locked: undefined, said: error instanceof Error ? (error.message.split('\n', 1)[0] ?? '') : String(error) };
  } finally {
    clearTimeout(timer);
    bus.close();
  }
}

/** Whether the default collection is locked; undefined when the Secret Service does not say. */
export async function defaultCollectionLocked(address: string, env: NodeJS.ProcessEnv): Promise<boolean | undefined> {
  return (await collectionLocked(address, '/org/freedesktop/secrets/aliases/default', env)).locked;
}
