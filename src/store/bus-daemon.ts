// Which processes serve a bus, found without asking the bus. A bus daemon that does
// not answer cannot tell us its PID, and only the kernel can then tell one that is
// busy (two hundred helpers connecting at once on a slow machine: CI saw 8 of 200
// gets give up on it) from one that is stopped or hung. The kernel lists listening
// sockets by address (/proc/net/unix) and each process's open sockets (/proc/PID/fd).
// Read only when the bus has already been silent for the keychain timeout.
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import type { BusSocket } from './dbus/address.js';

/** /proc/net/unix's Flags for a listening socket (__SO_ACCEPTCON). */
const LISTENING = 0x10000;

/**
 * The inodes of the sockets listening on `socket`, from /proc/net/unix's text
 * (`Num RefCount Protocol Flags Type St Inode Path`; an abstract name shows with a
 * leading `@`). `paths` are the names a path socket may be listed under. Pure.
 */
export function listeningInodes(netUnix: string, socket: BusSocket, paths: readonly string[] = socket.kind === 'path' ? [socket.path] : []): Set<string> {
  const wanted = socket.kind === 'abstract' ? new Set([`@${socket.name}`]) : new Set(paths);
  const inodes = new Set<string>();
  for (const line of netUnix.split('\n').slice(1)) {
    const fields = line.trim().split(' ');
    if (fields.length < 8) continue;
    const flags = parseInt(fields[3] ?? '', 16);
    const inode = fields[6] ?? '';
    // A path may hold spaces: it is the rest of the line.
    const path = fields.slice(7).join(' ');
    if (Number.isNaN(flags) || (flags & LISTENING) === 0 || !/^\d+$/.test(inode) || !wanted.has(path)) continue;
    inodes.add(inode);
  }
  return inodes;
}

/**
 * The processes holding one of these sockets open, but systemd: it holds a socket it
 * activates the bus with and serves nothing on it, and its work would read as the
 * bus daemon's. Processes we may not look into are skipped.
 */
export function socketHolders(inodes: ReadonlySet<string>, proc = '/proc'): number[] {
  if (inodes.size === 0) return [];
  const links = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  const holders: number[] = [];
  for (const entry of list(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    const fds = `${proc}/${entry}/fd`;
    if (!list(fds).some((fd) => links.has(link(`${fds}/${fd}`)))) continue;
    if (read(`${proc}/${entry}/comm`)?.trim() === 'systemd') continue;
    holders.push(Number(entry));
  }
  return holders;
}

/** The processes serving the bus at `socket`; [] when the kernel will not say. */
export function busDaemonPids(socket: BusSocket, proc = '/proc'): number[] {
  const netUnix = read(`${proc}/net/unix`);
  if (netUnix === undefined) return [];
  const paths = socket.kind === 'path' ? [...new Set([socket.path, resolved(socket.path)])] : [];
  return socketHolders(listeningInodes(netUnix, socket, paths), proc);
}

function resolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function link(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}
