// The questions of keychain-health.ts, asked for real: of the session bus daemon
// (who owns org.freedesktop.secrets, and its PID), of the kernel (/proc/PID/stat),
// and of the Secret Service (its default collection's Locked property). One
// connection of our own D-Bus client, opened on the first question.
import { readFileSync } from 'node:fs';
import { busDaemonPids } from './bus-daemon.js';
import { openableBusSocket } from './dbus/address.js';
import { BusConnection, expectBody } from './dbus/connection.js';
import { BusUnreachableError } from './dbus/errors.js';
import { SECRETS_NAME, SecretServiceClient } from './dbus/secret-service.js';
import type { OwnerAnswer, ProcessView, ServiceQuestions } from './keychain-health.js';
import { identifyProvider, kwalletWithoutSecretService, providerOfProcessName, type ProviderKind } from './secret-service-provider.js';

const BUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' } as const;

export class SecretServiceQuestions implements ServiceQuestions {
  private connection: BusConnection | undefined;
  /** Who owned org.freedesktop.secrets when owner() asked. */
  private ownerPid: number | undefined;
  /** Found once: finding them reads every process's open files. */
  private daemons: readonly number[] | undefined;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  async owner(): Promise<OwnerAnswer> {
    const address = this.env.DBUS_SESSION_BUS_ADDRESS;
    if (!address) return { kind: 'unreachable' };
    const bus = this.bus();
    if (!bus) return { kind: 'cannot-ask' };
    try {
      if (!(await bus.nameHasOwner(SECRETS_NAME))) return { kind: 'none' };
    } catch (error) {
      return { kind: error instanceof BusUnreachableError ? 'unreachable' : 'cannot-ask' };
    }
    try {
      const reply = await bus.call({ ...BUS, member: 'GetConnectionUnixProcessID', signature: 's', body: [SECRETS_NAME] });
      const pid = expectBody<[number]>(reply, 'u')[0];
      this.ownerPid = pid;
      return { kind: 'owned', pid };
    } catch {
      // The owner left between the two questions, or the bus will not say.
      return { kind: 'owned', pid: undefined };
    }
  }

  process(pid: number): ProcessView | undefined {
    const stat = readProc(pid, 'stat');
    const view = stat === undefined ? undefined : parseProcStat(stat);
    if (!view) return undefined;
    // schedstat counts nanoseconds; stat's ticks (10 ms) can miss a starved process's work.
    const onCpu = Number(readProc(pid, 'schedstat')?.split(' ', 1)[0]);
    const io = readProc(pid, 'io');
    return { ...view, ...(Number.isSafeInteger(onCpu) ? { cpuNs: onCpu } : {}), ioBytes: io === undefined ? undefined : parseProcIo(io) };
  }

  async locked(): Promise<boolean | undefined> {
    const bus = this.bus();
    if (!bus) throw new Error('no bus to ask');
    const client = new SecretServiceClient(bus);
    // Property questions as a new client's first would abort gnome-keyring 42 (see SecretServiceClient.register).
    const comm = this.ownerPid === undefined ? undefined : readProc(this.ownerPid, 'comm');
    if (comm !== undefined && providerOfProcessName(comm) === 'gnome-keyring') await client.register();
    return client.aliasLocked('default');
  }

  async provider(): Promise<ProviderKind | undefined> {
    const bus = this.bus();
    if (!bus) return undefined;
    return identifyProvider(bus, (pid) => readProc(pid, 'comm'));
  }

  async kwalletRuns(): Promise<boolean> {
    const bus = this.bus();
    return bus ? kwalletWithoutSecretService(bus) : false;
  }

  busDaemons(): readonly number[] {
    const socket = openableBusSocket(this.env.DBUS_SESSION_BUS_ADDRESS);
    this.daemons ??= socket ? busDaemonPids(socket) : [];
    return this.daemons;
  }

  /** Ends the connection and any question still waiting on it. */
  close(): void {
    this.connection?.close();
  }

  private bus(): BusConnection | undefined {
    if (!this.connection) {
      const socket = openableBusSocket(this.env.DBUS_SESSION_BUS_ADDRESS);
      if (!socket) return undefined;
      this.connection = BusConnection.open(socket);
    }
    return this.connection;
  }
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc/PID/stat's times: USER_HZ, 100 on every Linux build in use. */
const TICK_NS = 10_000_000;

/**
 * `pid (comm) state ppid ... utime stime ...`: comm may hold spaces and parentheses,
 * so fields are counted from the last `)`. utime and stime are fields 14 and 15.
 */
export function parseProcStat(text: string): ProcessView | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 2).split(' ');
  const state = fields[0];
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!state || !Number.isSafeInteger(utime) || !Number.isSafeInteger(stime)) return undefined;
  return { state, cpuNs: (utime + stime) * TICK_NS };
}

/** /proc/PID/io's bytes that reached or came from storage (`read_bytes` + `write_bytes`): the page cache's traffic does not count. */
export function parseProcIo(text: string): number | undefined {
  const read = /^read_bytes: (\d+)$/m.exec(text)?.[1];
  const written = /^write_bytes: (\d+)$/m.exec(text)?.[1];
  if (read === undefined || written === undefined) return undefined;
  const total = Number(read) + Number(written);
  return Number.isSafeInteger(total) ? total : undefined;
}
