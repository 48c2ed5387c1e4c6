// One connection to a message bus over a Unix socket: SASL EXTERNAL, Hello, and
// method calls matched to their replies by serial. Short-lived by design (a helper
// process asks a few questions and exits), so everything is pipelined: the AUTH
// line, BEGIN, Hello and the first calls leave in one write, as sd-bus does, and
// the bus answers them in order. Signals go to whoever listens (a Prompt's
// Completed); calls addressed to us are ignored.
import type { Socket } from 'node:net';
import { connectPath, type BusSocket } from './address.js';
import { netModule } from '../../builtin.js';
import { BusAuthError, BusUnreachableError, DBusErrorReply, DBusWireError } from './errors.js';
import { decodeMessage, encodeMessage, frameLength, MessageType, type DBusMessage, type DBusValue } from './wire.js';

export interface MethodCall {
  readonly destination: string;
  readonly path: string;
  readonly interface: string;
  readonly member: string;
  readonly signature?: string;
  readonly body?: readonly DBusValue[];
}

export interface Reply {
  readonly signature: string;
  readonly body: readonly DBusValue[];
}

export interface BusSignal extends Reply {
  readonly path: string;
  readonly interface: string;
  readonly member: string;
}

const BUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' } as const;
const MAX_AUTH_LINE = 16 * 1024;

interface Pending {
  resolve(reply: Reply): void;
  reject(error: Error): void;
}

export class BusConnection {
  private readonly socket: Socket;
  private serial = 0;
  private readonly pending = new Map<number, Pending>();
  private received: Uint8Array = new Uint8Array(0);
  private authenticated = false;
  private failure: Error | undefined;
  private readonly listeners = new Set<(signal: BusSignal) => void>();
  private closeWaiters: Array<(reason: Error) => void> = [];
  /** This connection's unique name (":1.42"), once Hello is answered. */
  readonly uniqueName: Promise<string>;

  private constructor(socket: BusSocket, uid: number, signal: AbortSignal | undefined) {
    this.socket = netModule().connect(connectPath(socket));
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (error: NodeJS.ErrnoException) =>
      this.fail(new BusUnreachableError(`cannot reach the bus at ${describe(socket)}: ${error.code ?? error.message}`, error.code)),
    );
    this.socket.on('close', () => this.fail(new BusUnreachableError('the bus closed the connection')));
    if (signal) {
      if (signal.aborted) queueMicrotask(() => this.fail(new BusUnreachableError('aborted', 'ABORT_ERR')));
      else signal.addEventListener('abort', () => this.fail(new BusUnreachableError('aborted', 'ABORT_ERR')), { once: true });
    }
    const hexUid = Buffer.from(String(uid), 'ascii').toString('hex');
    this.socket.write(`\0AUTH EXTERNAL ${hexUid}\r\nBEGIN\r\n`);
    this.uniqueName = this.call({ ...BUS, member: 'Hello' }).then((reply) => expectBody<[string]>(reply, 's')[0]);
    // Callers that only make calls still learn of a failed Hello through those calls.
    this.uniqueName.catch(() => {});
  }

  /** Starts connecting; calls may be made at once and are sent in order. */
  static open(socket: BusSocket, options: { readonly uid?: number; readonly signal?: AbortSignal | undefined } = {}): BusConnection {
    const uid = options.uid ?? process.getuid?.() ?? 0;
    return new BusConnection(socket, uid, options.signal);
  }

  call(call: MethodCall): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const serial = ++this.serial;
    const message: DBusMessage = {
      type: MessageType.MethodCall,
      flags: 0,
      serial,
      destination: call.destination,
      path: call.path,
      interface: call.interface,
      member: call.member,
      signature: call.signature ?? '',
      body: call.body ?? [],
    };
    const bytes = encodeMessage(message);
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(serial, { resolve, reject });
      this.socket.ref();
      this.socket.write(bytes);
    });
  }

  /** Whether some connection owns a bus name (a Secret Service runs), without starting one. */
  async nameHasOwner(name: string): Promise<boolean> {
    const reply = await this.call({ ...BUS, member: 'NameHasOwner', signature: 's', body: [name] });
    return expectBody<[boolean]>(reply, 'b')[0];
  }

  /**
   * Hears every signal the bus routes to us (ask for them with AddMatch first);
   * returns the way to stop. Waiting for a signal keeps the process alive only
   * through the waiter's own deadline, never through the socket.
   */
  onSignal(listener: (signal: BusSignal) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the reason once the connection is closed or broken. */
  closed(): Promise<Error> {
    if (this.failure) return Promise.resolve(this.failure);
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** Ends the connection; calls in flight fail with `reason`. */
  close(reason: Error = new BusUnreachableError('connection closed')): void {
    this.fail(reason);
  }

  private fail(error: Error): void {
    if (!this.failure) this.failure = error;
    this.socket.destroy();
    const pending = [...this.pending.values()];
    this.pending.clear();
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const waiter of waiters) waiter(this.failure);
    for (const p of pending) p.reject(this.failure);
  }

  private receive(chunk: Buffer): void {
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    try {
      if (!this.authenticated && !this.readAuthLine()) return;
      for (;;) {
        const length = frameLength(this.received);
        if (length === undefined || this.received.length < length) return;
        const message = decodeMessage(this.received.subarray(0, length));
        this.received = this.received.subarray(length);
        this.dispatch(message);
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new DBusWireError(String(error)));
    }
  }

  /** True once the server said OK; throws on anything but OK. */
  private readAuthLine(): boolean {
    const end = this.received.indexOf(0x0a);
    if (end < 0) {
      if (this.received.length > MAX_AUTH_LINE) throw new BusAuthError('the bus sent an overlong authentication line');
      return false;
    }
    const line = Buffer.from(this.received.subarray(0, end)).toString('latin1').replace(/\r$/, '');
    this.received = this.received.subarray(end + 1);
    if (!/^OK [0-9a-f]{32}$/.test(line)) throw new BusAuthError(`the bus refused authentication (${line.split(' ', 1)[0] || 'empty answer'})`);
    this.authenticated = true;
    return true;
  }

  private dispatch(message: DBusMessage & { readonly type: number }): void {
    if (message.type === MessageType.Signal) {
      const { path, interface: iface, member } = message;
      if (path === undefined || iface === undefined || member === undefined) return;
      for (const listener of [...this.listeners]) listener({ path, interface: iface, member, signature: message.signature, body: message.body });
      return;
    }
    if (message.type !== MessageType.MethodReturn && message.type !== MessageType.Error) return;
    const serial = message.replySerial;
    const pending = serial === undefined ? undefined : this.pending.get(serial);
    if (!pending || serial === undefined) return;
    this.pending.delete(serial);
    // An idle connection never keeps the process alive.
    if (this.pending.size === 0) this.socket.unref();
    if (message.type === MessageType.Error) {
      const text = message.signature.startsWith('s') && typeof message.body[0] === 'string' ? message.body[0] : '';
      pending.reject(new DBusErrorReply(message.errorName ?? 'unknown', text));
    } else {
      pending.resolve({ signature: message.signature, body: message.body });
    }
  }
}

function describe(socket: BusSocket): string {
  return socket.kind === 'path' ? socket.path : `@${socket.name}`;
}

/**
 * The body of a reply, typed by its signature: the check makes the cast true, since
 * the codec only produces values of the signature it decoded.
 */
export function expectBody<T extends readonly DBusValue[]>(reply: Reply, signature: string): T {
  if (reply.signature !== signature) throw new DBusWireError(`expected a reply of type ${signature || '()'}, got ${reply.signature || '()'}`);
  return reply.body as unknown as T;
}
