// Finding the processes that serve a bus without asking it (src/store/bus-daemon.ts):
// the listening socket from /proc/net/unix's text, then who holds it open, for real.
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { busDaemonPids, listeningInodes } from '../src/store/bus-daemon.js';

const NET_UNIX = [
  'Num       RefCount Protocol Flags    Type St Inode Path',
  '0000000000000000: 00000002 00000000 00010000 0001 01 1001 /run/user/1000/bus',
  '0000000000000000: 00000003 00000000 00000000 0001 03 1002 /run/user/1000/bus',
  '0000000000000000: 00000002 00000000 00010000 0001 01 1003 @dbus-abc',
  '0000000000000000: 00000002 00000000 00010000 0001 01 1004 /tmp/with space/bus',
  '0000000000000000: 00000002 00000000 00010000 0001 01 1005 /run/user/1000/bus-other',
  '0000000000000000: 00000003 00000000 00000000 0001 03 1006',
].join('\n');

describe('listeningInodes', () => {
  it('only the listening socket bound to the address, never a connection to it or a neighbour', () => {
    expect([...listeningInodes(NET_UNIX, { kind: 'path', path: '/run/user/1000/bus' })]).toEqual(['1001']);
    expect([...listeningInodes(NET_UNIX, { kind: 'abstract', name: 'dbus-abc' })]).toEqual(['1003']);
    expect([...listeningInodes(NET_UNIX, { kind: 'path', path: '/tmp/with space/bus' })]).toEqual(['1004']);
    expect([...listeningInodes(NET_UNIX, { kind: 'path', path: '/nowhere' })]).toEqual([]);
    expect([...listeningInodes('garbage\nmore garbage', { kind: 'path', path: '/run/user/1000/bus' })]).toEqual([]);
  });
});

describe('busDaemonPids', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-bus-daemon-'));
  const servers: Server[] = [];
  afterAll(() => {
    for (const server of servers) server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the process listening on the socket, and nothing for a socket no one listens on', async () => {
    const path = join(dir, 'bus');
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(path, resolve));
    expect(busDaemonPids({ kind: 'path', path })).toEqual([process.pid]);
    expect(busDaemonPids({ kind: 'path', path: join(dir, 'absent') })).toEqual([]);
  });
});
