// A private D-Bus session bus for a test keychain, and the few calls our scripts make
// on it. The bus reads a config of our own whose only service directory is an empty
// folder: nothing is ever auto-started on it (the distribution's session config would
// start gnome-keyring the first time anyone asks for org.freedesktop.secrets, and the
// provider under test would then not be the one answering).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBusAddress } from '../../../src/store/dbus/address.js';
import { BusConnection, expectBody, type MethodCall, type Reply } from '../../../src/store/dbus/connection.js';
import { DBusErrorReply } from '../../../src/store/dbus/errors.js';
import { variant, type DBusValue, type Variant } from '../../../src/store/dbus/wire.js';

export const SECRETS = 'org.freedesktop.secrets';
const SERVICE = { destination: SECRETS, path: '/org/freedesktop/secrets', interface: 'org.freedesktop.Secret.Service' } as const;
const DBUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' } as const;
const SETPRIV = '/usr/bin/setpriv';
/** No single D-Bus call of a healthy daemon takes this long; a hung one fails here, with its name. */
const CALL_LIMIT_MS = 10_000;

/** Waits for `check` to give a value, polling; fails after `limitMs` with what it waited for. */
export async function waitFor<T>(what: string, limitMs: number, check: () => Promise<T | undefined>, log?: () => string): Promise<T> {
  const deadline = performance.now() + limitMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (performance.now() > deadline) {
      const why = last instanceof Error ? ` (last error: ${last.message})` : '';
      const tail = log?.().trim().split('\n').slice(-15).join('\n');
      throw new Error(`timed out after ${limitMs} ms waiting for ${what}${why}${tail ? `\n--- daemon log ---\n${tail}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A daemon of ours: its output goes to a log file in the provider's folder, read into errors. */
export class Daemon {
  private exited: Promise<void>;
  private done = false;
  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => (this.done = true));
  }

  static start(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv, logFile: string, options: { stdin?: 'pipe' | 'ignore' } = {}): Daemon {
    const log = openSync(logFile, 'a');
    try {
      // setpriv (util-linux) execs the daemon with a parent-death signal: a test worker
      // killed outright (no exit handler runs) still takes its daemons along.
      const [file, argv] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, [...args]];
      const child = spawn(file, argv, { env, stdio: [options.stdin ?? 'ignore', log, log] });
      child.on('error', () => {});
      return new Daemon(name, child, logFile);
    } finally {
      closeSync(log);
    }
  }

  get running(): boolean {
    return !this.done && this.child.exitCode === null && this.child.signalCode === null;
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** SIGTERM, then SIGKILL if it is still there after 3 s; resolves once it is gone. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const gone = await Promise.race([this.exited.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), 3000)))]);
    clearTimeout(timer);
    if (!gone) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

/** Runs `start`; a failure stops the daemon it was waiting for before passing the error on. */
export async function stopOnFailure<T>(daemon: Daemon | (() => Daemon), start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    await (typeof daemon === 'function' ? daemon() : daemon).stop();
    throw error;
  }
}

export interface SessionBus {
  readonly address: string;
  readonly daemon: Daemon;
  /** A new connection to the bus (close it after use). */
  connect(): Control;
  stop(): Promise<void>;
}

/** Starts `dbus-daemon --session`-like bus listening on DIR/bus with our config. */
export async function startSessionBus(dir: string, env: NodeJS.ProcessEnv): Promise<SessionBus> {
  const services = join(dir, 'dbus-services');
  mkdirSync(services, { recursive: true });
  const socket = join(dir, 'bus');
  const config = join(dir, 'bus.conf');
  writeFileSync(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>${services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  );
  const daemon = Daemon.start('dbus-daemon', 'dbus-daemon', [`--config-file=${config}`, '--nofork', '--nopidfile'], env, join(dir, 'dbus-daemon.log'));
  const address = `unix:path=${socket}`;
  const bus: SessionBus = {
    address,
    daemon,
    connect: () => new Control(address),
    stop: () => daemon.stop(),
  };
  await waitFor('the private D-Bus bus to answer', 10_000, async () => {
    if (!daemon.running) throw new Error(`dbus-daemon exited: ${daemon.log().trim()}`);
    const control = bus.connect();
    try {
      await control.call({ ...DBUS, member: 'GetId' });
      return true;
    } finally {
      control.close();
    }
  });
  return bus;
}

/** One connection, and the Secret Service calls the launchers make. Every call is bounded. */
export class Control {
  readonly connection: BusConnection;
  constructor(address: string) {
    const [socket] = parseBusAddress(address);
    if (!socket) throw new Error(`not a bus address: ${address}`);
    this.connection = BusConnection.open(socket);
  }

  /**
   * Asked once more after UnknownMethod from the Secret Service, as our reader asks
   * (SecretServiceClient.searchItems): gnome-keyring 42 answers a new connection's first
   * calls so until it has registered the client (a matrix run lost its first
   * gnome-keyring test to it in CI). UnknownMethod means nothing was done: safe to repeat.
   */
  async call(call: MethodCall, limitMs = CALL_LIMIT_MS): Promise<Reply> {
    try {
      return await this.callOnce(call, limitMs);
    } catch (error) {
      if (call.destination !== SECRETS || !(error instanceof DBusErrorReply) || error.errorName !== 'org.freedesktop.DBus.Error.UnknownMethod') throw error;
      return this.callOnce(call, limitMs);
    }
  }

  private async callOnce(call: MethodCall, limitMs: number): Promise<Reply> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.connection.call(call),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${call.interface}.${call.member} on ${call.path} did not answer within ${limitMs} ms`)), limitMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A call whose method never replies (Qt's NoReply methods): sent, not waited for. */
  send(call: MethodCall): void {
    this.connection.call(call).catch(() => {});
  }

  async nameHasOwner(name: string): Promise<boolean> {
    return expectBody<[boolean]>(await this.call({ ...DBUS, member: 'NameHasOwner', signature: 's', body: [name] }), 'b')[0];
  }

  async nameOwnerPid(name: string): Promise<number> {
    return expectBody<[number]>(await this.call({ ...DBUS, member: 'GetConnectionUnixProcessID', signature: 's', body: [name] }), 'u')[0];
  }

  /** The collection behind an alias, or undefined ('/'). */
  async readAlias(alias = 'default'): Promise<string | undefined> {
    const [path] = expectBody<[string]>(await this.call({ ...SERVICE, member: 'ReadAlias', signature: 's', body: [alias] }), 'o');
    return path === '/' ? undefined : path;
  }

  async locked(collection: string): Promise<boolean> {
    const value = await this.property(collection, 'org.freedesktop.Secret.Collection', 'Locked');
    if (value.signature !== 'b') throw new Error(`Locked has type ${value.signature}`);
    return value.value as boolean;
  }

  /** Service.Lock, running its Prompt when it answers with one; waits until Locked says so. */
  async lock(collection: string): Promise<void> {
    const [, prompt] = expectBody<[string[], string]>(await this.call({ ...SERVICE, member: 'Lock', signature: 'ao', body: [[collection]] }), 'aoo');
    if (prompt !== '/') await this.prompt(prompt);
    await waitFor(`${collection} to be locked`, 10_000, async () => ((await this.locked(collection)) ? true : undefined));
  }

  /**
   * Service.Unlock, running its Prompt on this same connection (KWallet sends
   * Completed to the caller of Unlock and cancels the open when that caller goes
   * away), then waits until Locked is false. Signals are not read: Locked is the truth.
   */
  async unlock(collection: string, limitMs = 10_000): Promise<void> {
    const [, prompt] = expectBody<[string[], string]>(await this.call({ ...SERVICE, member: 'Unlock', signature: 'ao', body: [[collection]] }), 'aoo');
    if (prompt !== '/') await this.prompt(prompt);
    await waitFor(`${collection} to be unlocked`, limitMs, async () => ((await this.locked(collection)) ? undefined : true));
  }

  async prompt(path: string): Promise<void> {
    await this.call({ destination: SECRETS, path, interface: 'org.freedesktop.Secret.Prompt', member: 'Prompt', signature: 's', body: [''] });
  }

  /** Items (unlocked and locked) whose attributes include these. */
  async search(attributes: Readonly<Record<string, string>>): Promise<{ unlocked: string[]; locked: string[] }> {
    const [unlocked, locked] = expectBody<[string[], string[]]>(
      await this.call({ ...SERVICE, member: 'SearchItems', signature: 'a{ss}', body: [Object.entries(attributes)] }),
      'aoao',
    );
    return { unlocked, locked };
  }

  async attributes(item: string): Promise<Map<string, string>> {
    const value = await this.property(item, 'org.freedesktop.Secret.Item', 'Attributes');
    return new Map(value.value as Array<[string, string]>);
  }

  /** The secrets of unlocked items, over a plain session (the test's own look inside). */
  async secrets(items: readonly string[]): Promise<Map<string, string>> {
    if (items.length === 0) return new Map();
    const [, session] = expectBody<[Variant, string]>(
      await this.call({ ...SERVICE, member: 'OpenSession', signature: 'sv', body: ['plain', variant('s', '')] }),
      'vo',
    );
    const [entries] = expectBody<[Array<[string, [string, Uint8Array, Uint8Array, string]]>]>(
      await this.call({ ...SERVICE, member: 'GetSecrets', signature: 'aoo', body: [items, session] }),
      'a{o(oayays)}',
    );
    return new Map(entries.map(([item, [, , value]]) => [item, Buffer.from(value).toString()]));
  }

  private async property(path: string, iface: string, name: string): Promise<Variant> {
    const reply = await this.call({ destination: SECRETS, path, interface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: [iface, name] });
    return expectBody<[Variant]>(reply, 'v')[0];
  }

  close(): void {
    this.connection.close();
  }
}

/** Opens a connection, runs `use`, closes it. */
export async function withControl<T>(address: string, use: (control: Control) => Promise<T>): Promise<T> {
  const control = new Control(address);
  try {
    return await use(control);
  } finally {
    control.close();
  }
}

export type { DBusValue };
