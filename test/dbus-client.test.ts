// Our D-Bus client against real buses (the test session's Secret Service, and private
// dbus-daemons: one with an abstract socket and no Secret Service, one whose
// gnome-keyring we lock and then kill) and against hostile fake buses. Whatever
// happens, the reader answers exactly, or hands over to the keyring library.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBusAddress, type BusSocket } from '../src/store/dbus/address.js';
import { BusConnection } from '../src/store/dbus/connection.js';
import { BusAuthError, BusUnreachableError, DBusWireError } from '../src/store/dbus/errors.js';
import { SecretServiceClient, SECRETS_NAME } from '../src/store/dbus/secret-service.js';
import { decodeMessage, encodeMessage, frameLength, MessageType, variant } from '../src/store/dbus/wire.js';
import { exactAbstractNames } from '../src/store/dbus/address.js';
import { SecretServiceReader, secretServiceReader } from '../src/store/secret-service-reader.js';
import { secretServiceWriter } from '../src/store/secret-service-writer.js';
import { AsyncEntry } from '@napi-rs/keyring';
import { ownKeyring } from './support/private-keyring.js';
import { request, runHelper, testHome, uniqueHost } from './support/helper-process.js';

const sessionBus = (): BusSocket => {
  const [socket] = parseBusAddress(process.env.DBUS_SESSION_BUS_ADDRESS);
  if (!socket) throw new Error('these tests run inside scripts/with-keyring (npm test does that)');
  return socket;
};
const never = () => new AbortController().signal;
const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
});

describe('many clients at once (a burst of helpers), in a keyring of its own', () => {
  const keyring = ownKeyring();

  it("readers (hits and misses) and writers at once: gnome-keyring 42 survives (a session is never a client's first message)", async () => {
    const [socket] = parseBusAddress(keyring.env.DBUS_SESSION_BUS_ADDRESS);
    const writer = secretServiceWriter(keyring.env)!;
    const stored = `git-credential-pat:https://${uniqueHost('crowd-hit')}`;
    expect(await writer.set(stored, 'u', 'ghp_crowd', never())).toEqual({ kind: 'answer', value: undefined });
    // Sixty connections at once that sent OpenSession first (as this reader did, to
    // save a round trip) killed the daemon within a few dozen rounds here.
    for (let round = 0; round < 30; round++) {
      const results = await Promise.all(
        Array.from({ length: 90 }, async (_, i) => {
          if (i % 3 === 0) {
            const wrote = await writer.set(`git-credential-pat:https://${uniqueHost(`crowd${round}`)}`, 'u', `p${i}`, never());
            return wrote.kind === 'answer' ? 'done' : JSON.stringify(wrote);
          }
          const reader = new SecretServiceReader(socket!);
          try {
            const read = await reader.get(i % 3 === 1 ? stored : `git-credential-pat:https://${uniqueHost('crowd-miss')}`, 'u', never());
            return read.kind === 'answer' ? `answer ${read.value}` : JSON.stringify(read);
          } finally {
            reader.close();
          }
        }),
      );
      expect(new Set(results)).toEqual(new Set(['done', 'answer ghp_crowd', 'answer null']));
      const bus = BusConnection.open(socket!);
      try {
        expect(await bus.nameHasOwner(SECRETS_NAME)).toBe(true);
      } finally {
        bus.close();
      }
    }
  }, 120_000);
});

describe('our Secret Service client on the real session bus', () => {
  it('reads back what the keyring library stored, through plain and dh sessions alike', async () => {
    const env = testHome();
    const host = uniqueHost('dbus');
    await runHelper(['store'], request({ protocol: 'https', host, username: 'alice', password: 'ghp_dbus-client-secret' }), env);
    const service = `git-credential-pat:https://${host}`;

    const bus = BusConnection.open(sessionBus());
    try {
      expect(await bus.uniqueName).toMatch(/^:\d+\.\d+$/);
      expect(await bus.nameHasOwner(SECRETS_NAME)).toBe(true);
      expect(await bus.nameHasOwner('org.example.nobody.owns.this')).toBe(false);
      const client = new SecretServiceClient(bus);
      expect(await client.aliasLocked('default')).toBe(false);
      const found = await client.searchItems({ service, username: 'alice' });
      expect(found.locked).toEqual([]);
      expect(found.unlocked).toHaveLength(1);
      const item = found.unlocked[0]!;
      expect(Object.fromEntries(await client.itemAttributes(item))).toMatchObject({ service, username: 'alice' });
      for (const algorithm of ['plain', 'dh'] as const) {
        const session = await client.openSession(algorithm);
        const secret = (await client.getSecrets([item], session)).get(item);
        expect(Buffer.from(secret!).toString()).toBe('ghp_dbus-client-secret');
      }
    } finally {
      bus.close();
    }

    const reader = new SecretServiceReader(sessionBus());
    expect(await reader.get(service, 'alice', never())).toEqual({ kind: 'answer', value: 'ghp_dbus-client-secret' });
    expect(await reader.get(service, 'bob', never())).toEqual({ kind: 'answer', value: null });
    expect(await reader.find(service, never())).toEqual({ kind: 'answer', value: [{ account: 'alice', password: 'ghp_dbus-client-secret' }] });
    expect(await reader.find(`${service}/nothing-here`, never())).toEqual({ kind: 'answer', value: [] });
    expect(await new SecretServiceReader(sessionBus(), 'dh').get(service, 'alice', never())).toEqual({ kind: 'answer', value: 'ghp_dbus-client-secret' });

    // Our whole namespace, found in the keychain itself, without any index.
    const under = await reader.itemsUnder(`git-credential-pat:https://${host}`, never());
    expect(under).toEqual({ kind: 'answer', value: [{ service, account: 'alice' }] });
    const everything = await reader.itemsUnder('git-credential-pat:', never());
    expect(everything.kind === 'answer' && everything.value.every((i) => i.service.startsWith('git-credential-pat:'))).toBe(true);
  });

  it('our writer and the keyring library replace each other\'s item, whichever wrote first: never a duplicate', async () => {
    const options = { linux: { store: 'secret-service' as const } };
    const writer = secretServiceWriter({ DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS })!;
    const library = (service: string) => new AsyncEntry(service, 'alice', options);
    const bus = BusConnection.open(sessionBus());
    try {
      const client = new SecretServiceClient(bus);
      const items = async (service: string) => {
        const found = await client.searchItems({ service });
        expect(found.locked).toEqual([]);
        return Promise.all(found.unlocked.map(async (item) => Object.fromEntries(await client.itemAttributes(item))));
      };
      for (const order of [['library', 'ours', 'library', 'ours'], ['ours', 'library', 'ours']] as const) {
        const service = `git-credential-pat:https://${uniqueHost('writer')}`;
        for (const [i, who] of order.entries()) {
          const secret = `ghp_${who}${i}`;
          if (who === 'library') await library(service).setPassword(secret);
          else expect(await writer.set(service, 'alice', secret, never())).toEqual({ kind: 'answer', value: undefined });
          expect(await library(service).getPassword()).toBe(secret);
          const found = await items(service);
          expect(found).toHaveLength(1);
          // gnome-keyring adds xdg:schema=org.freedesktop.Secret.Generic to the items our writer creates (not the
          // binding's, though both CreateItem calls carry the same label and attributes); searches ignore it.
          expect(found[0]).toMatchObject({ service, username: 'alice' });
          expect(Object.keys(found[0]!).filter((k) => k !== 'xdg:schema').sort()).toEqual(['service', 'username']);
        }
      }
    } finally {
      bus.close();
    }
  });
});

/** A private dbus-daemon with no service activation, listening where we say. */
async function privateBus(listen: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-bus-'));
  const config = join(dir, 'bus.conf');
  writeFileSync(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>${listen.replace('DIR', dir)}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>`,
  );
  const daemon = spawn('dbus-daemon', ['--config-file', config, '--nofork', '--print-address'], { stdio: ['ignore', 'pipe', 'ignore'] });
  cleanups.push(() => {
    daemon.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  return new Promise((resolve, reject) => {
    let out = '';
    daemon.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    daemon.on('exit', () => reject(new Error('dbus-daemon exited')));
  });
}

describe('private buses', () => {
  it('an abstract socket: used where Node names it exactly (22+), left to the keyring library on Node 20', () => {
    const env = { DBUS_SESSION_BUS_ADDRESS: 'unix:abstract=/tmp/dbus-x,guid=0123456789abcdef0123456789abcdef' };
    expect(secretServiceReader(env, '20.20.2')).toBeUndefined();
    expect(secretServiceReader(env, '22.1.0')).toBeInstanceOf(SecretServiceReader);
    expect(secretServiceReader({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1/bus' }, '20.20.2')).toBeInstanceOf(SecretServiceReader);
    expect(secretServiceReader({ DBUS_SESSION_BUS_ADDRESS: 'tcp:host=localhost,port=1' })).toBeUndefined();
  });

  it.runIf(exactAbstractNames(process.versions.node))('an abstract socket with no Secret Service: the bus answers, the reader hands over', async () => {
    const address = await privateBus(`unix:abstract=/tmp/gcp-test-${randomBytes(6).toString('hex')}`);
    const [socket] = parseBusAddress(address);
    expect(socket?.kind).toBe('abstract');
    const bus = BusConnection.open(socket!);
    expect(await bus.uniqueName).toMatch(/^:/);
    expect(await bus.nameHasOwner(SECRETS_NAME)).toBe(false);
    bus.close();
    const read = await new SecretServiceReader(socket!).get('git-credential-pat:https://x', 'u', never());
    expect(read).toMatchObject({ kind: 'ask-binding', reason: expect.stringMatching(/ServiceUnknown/) });
  });

  it('a locked collection, then a killed Secret Service: the reader and the writer hand over each time', async () => {
    const address = await privateBus('unix:path=DIR/bus');
    const home = mkdtempSync(join(tmpdir(), 'gcp-keyring-home-'));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const env = { ...testHome(), DBUS_SESSION_BUS_ADDRESS: address, XDG_DATA_HOME: join(home, 'data'), HOME: home };
    await new Promise<void>((resolve, reject) => {
      const child: ChildProcess = execFile('gnome-keyring-daemon', ['--unlock', '--components=secrets'], { env }, (error) => (error ? reject(error) : resolve()));
      child.stdin?.end('test-password');
    });
    // Once a store worked, the Secret Service surely owns its name.
    const host = uniqueHost('locked');
    const stored = await runHelper(['store'], request({ protocol: 'https', host, username: 'u', password: 'locked-secret' }), env);
    expect(stored).toMatchObject({ code: 0, stderr: '' });
    const [socket] = parseBusAddress(address);
    const bus = BusConnection.open(socket!);
    const pid = (await bus.call({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'GetConnectionUnixProcessID', signature: 's', body: [SECRETS_NAME] })).body[0] as number;
    cleanups.push(() => {
      try {
        process.kill(pid);
      } catch {
        // already gone
      }
    });
    const service = `git-credential-pat:https://${host}`;
    expect(await new SecretServiceReader(socket!).get(service, 'u', never())).toEqual({ kind: 'answer', value: 'locked-secret' });

    const client = new SecretServiceClient(bus);
    await bus.call({ destination: SECRETS_NAME, path: '/org/freedesktop/secrets', interface: 'org.freedesktop.Secret.Service', member: 'Lock', signature: 'ao', body: [['/org/freedesktop/secrets/collection/login']] });
    expect(await client.aliasLocked('default')).toBe(true);
    // No person can answer an unlock prompt here: the reader says so at once, instead of handing a hopeless prompt to the binding.
    expect(await new SecretServiceReader(socket!).get(service, 'u', never())).toEqual({ kind: 'refuse', want: 'locked' });
    expect(await new SecretServiceReader(socket!).find(service, never())).toEqual({ kind: 'refuse', want: 'locked' });
    // Where a person could answer, the Unlock prompt is run, as libsecret runs it; here no prompt can show, and it says so.
    const started = Date.now();
    expect(await new SecretServiceReader(socket!, 'plain', true, 3000).get(service, 'u', never())).toEqual({ kind: 'refuse', want: 'locked' });
    expect(Date.now() - started).toBeLessThan(4500);
    expect(await new SecretServiceReader(socket!).gone(service, 'u', never())).toEqual({ kind: 'answer', value: false });
    // The writer never asks Locked (see secret-service-writer.ts): gnome-keyring refuses CreateItem (IsLocked), and nothing is written.
    const writer = secretServiceWriter({ DBUS_SESSION_BUS_ADDRESS: address })!;
    const refused = await writer.set(`${service}/other`, 'u', 'not-written', never());
    expect(refused.kind === 'refuse' ? refused.want : refused.kind === 'ask-binding' ? refused.reason : 'written').toMatch(/^locked$|IsLocked/);
    expect(await writer.delete(service, 'u', never())).toEqual({ kind: 'refuse', want: 'locked' });
    expect((await client.searchItems({ service: `${service}/other` })).locked.length + (await client.searchItems({ service: `${service}/other` })).unlocked.length).toBe(0);

    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    expect(await bus.nameHasOwner(SECRETS_NAME)).toBe(false);
    expect(await new SecretServiceReader(socket!).get(service, 'u', never())).toMatchObject({ kind: 'ask-binding', reason: expect.stringMatching(/ServiceUnknown/) });
    bus.close();
  });

  it('no socket at that path: unreachable, with the errno', async () => {
    const bus = BusConnection.open({ kind: 'path', path: join(tmpdir(), `gcp-no-bus-${randomBytes(6).toString('hex')}`) });
    await expect(bus.uniqueName).rejects.toMatchObject({ name: 'BusUnreachableError', code: 'ENOENT' });
  });
});

/** A fake bus: `answer` decides what each connection gets. */
async function fakeBus(answer: (socket: Socket) => void): Promise<BusSocket> {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-fake-bus-'));
  const path = join(dir, 'bus');
  const server: Server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanups.push(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { kind: 'path', path };
}

/** Says OK to authentication, then hands every complete call to `reply`. */
function afterAuth(reply: (socket: Socket, call: ReturnType<typeof decodeMessage>) => void) {
  return (socket: Socket) => {
    let buffer = Buffer.alloc(0);
    let authed = false;
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!authed) {
        const begin = buffer.indexOf('BEGIN\r\n');
        if (begin < 0) return;
        buffer = buffer.subarray(begin + 7);
        authed = true;
        socket.write(`OK ${'0'.repeat(32)}\r\n`);
      }
      for (;;) {
        const length = frameLength(buffer);
        if (length === undefined || buffer.length < length) return;
        const call = decodeMessage(buffer.subarray(0, length));
        buffer = buffer.subarray(length);
        reply(socket, call);
      }
    });
  };
}

const reply = (call: { serial: number }, signature: string, body: Parameters<typeof encodeMessage>[0]['body']) =>
  encodeMessage({ type: MessageType.MethodReturn, flags: 0, serial: 1000 + call.serial, replySerial: call.serial, signature, body });

describe('hostile buses', () => {
  it('REJECTED: an authentication error, and the reader hands over', async () => {
    const socket = await fakeBus((s) => s.end('REJECTED EXTERNAL\r\n'));
    await expect(BusConnection.open(socket).uniqueName).rejects.toBeInstanceOf(BusAuthError);
    expect(await new SecretServiceReader(socket).get('s', 'u', never())).toMatchObject({ kind: 'ask-binding', reason: expect.stringMatching(/BusAuthError/) });
  });

  it('garbage after OK: a wire error, and the reader hands over', async () => {
    const socket = await fakeBus((s) => s.end(`OK ${'0'.repeat(32)}\r\n${'x'.repeat(64)}`));
    await expect(BusConnection.open(socket).uniqueName).rejects.toBeInstanceOf(DBusWireError);
    expect(await new SecretServiceReader(socket).get('s', 'u', never())).toMatchObject({ kind: 'ask-binding' });
  });

  it('a reply of the wrong type is refused, not cast', async () => {
    const socket = await fakeBus(afterAuth((s, call) => s.write(call.member === 'Hello' ? reply(call, 's', [':1.1']) : reply(call, 'u', [7]))));
    const read = await new SecretServiceReader(socket).get('s', 'u', never());
    expect(read).toMatchObject({ kind: 'ask-binding', reason: expect.stringMatching(/DBusWireError/) });
  });

  it('a bus that closes at once: unreachable', async () => {
    const socket = await fakeBus((s) => s.destroy());
    await expect(BusConnection.open(socket).uniqueName).rejects.toBeInstanceOf(BusUnreachableError);
  });

  it('a bus that never answers: the caller aborts and the connection ends', async () => {
    const socket = await fakeBus(() => {});
    const controller = new AbortController();
    const pending = new SecretServiceReader(socket).get('s', 'u', controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'BusUnreachableError', code: 'ABORT_ERR' });
  });

  it('random replies to every call: the reader answers or hands over, never throws or hangs', async () => {
    let next: Uint8Array = new Uint8Array(0);
    const socket = await fakeBus(afterAuth((s, call) => {
      if (call.member === 'Hello') s.write(reply(call, 's', [':1.1']));
      else s.end(next);
    }));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 128 }),
          fc.constantFrom('aoao', 'vo', 'a{o(oayays)}', 'v').map((signature) => ({ signature })),
        ),
        async (bytesOrShape) => {
          next = bytesOrShape instanceof Uint8Array
            ? bytesOrShape
            : encodeMessage({ type: MessageType.MethodReturn, flags: 0, serial: 9, replySerial: 3, signature: 'v', body: [variant('s', bytesOrShape.signature)] });
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), 2000);
          try {
            const read = await new SecretServiceReader(socket).get('s', 'u', controller.signal);
            expect(['answer', 'ask-binding']).toContain(read.kind);
            expect(controller.signal.aborted).toBe(false);
          } finally {
            clearTimeout(timer);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});
