#!/usr/bin/env node
// CommonJS bundles on purpose: git runs `get` on every fetch and push, and the ESM
// loader (and Node's CommonJS-export scan of the keychain binding under it) costs
// tens of milliseconds that this path cannot afford.
'use strict';
// git shows a helper's stderr to the user and its test suites compare it byte for
// byte: no Node warnings, ever.
process.removeAllListeners('warning');

// The code cache's header (see intact below): declared before the door loads.
const MAGIC = 0x43504347; // "GCPC"
const HEADER = 8; // magic and payload length, 32 bits each

const action = process.argv[2];
if ((action === 'get' || action === 'store') && process.platform === 'linux' && !process.env.GIT_CREDENTIAL_PAT_TRACE) {
  // The quick door answers a hit, a miss and an unchanged store from a bundle that
  // holds only what those need; anything else it hands to the whole door (src/quick-door.ts).
  loadDoor('quick.cjs')
    .quick(action)
    .then((handedOver) => (handedOver ? loadDoor('door.cjs').door(action, handedOver) : process.exit(0)));
} else if (action === 'get' || action === 'store' || action === 'erase') {
  loadDoor('door.cjs').door(action);
} else {
  const { main, exitProcess, processIo } = require('../dist/cli.cjs');
  main(process.argv.slice(2), processIo()).then(exitProcess);
}

/**
 * dist/quick.cjs and dist/door.cjs are each one function expression (scripts/door-bundle.mjs), compiled here
 * with node:vm, with V8's code cache for it when there is one. Compiling the bundle is
 * a few milliseconds of every `get` (BENCHMARKS.md); the cache, kept in the user's
 * cache folder under the door's build id and this Node's version, replaces most of
 * that. It holds compiled code of the bundle only, never a value the helper handled.
 * It is used only from a folder and file that are this user's and writable by no one
 * else (SECURITY.md), and any doubt means compiling without it.
 */
function loadDoor(name) {
  const fs = require('node:fs');
  const path = require('node:path');
  const vm = require('node:vm');
  const file = path.join(__dirname, '..', 'dist', name);
  const source = fs.readFileSync(file, 'utf8');
  const cache = codeCacheFile(process.env, source);
  const cachedData = cache && intact(readOwnFile(fs, cache.dir, cache.file));
  const script = new vm.Script(source, { filename: file, cachedData });
  if (cache && (cachedData === undefined || script.cachedDataRejected)) {
    // At exit, so the cache also holds the functions this run compiled on the way.
    process.once('exit', () => writeOwnFile(fs, path, cache, () => sealed(script.createCachedData())));
  }
  const door = { exports: {} };
  // bin/ and dist/ are siblings in one package: this require resolves what the door's would.
  script.runInThisContext()(door.exports, require, door, file, path.dirname(file));
  return door.exports;
}

/** Where the cache for this build goes; undefined where none is kept. */
function codeCacheFile(env, source) {
  // POSIX only: ownership is what makes the cache safe to use, and it is checked by uid.
  if (typeof process.getuid !== 'function' || env.GIT_CREDENTIAL_PAT_CODE_CACHE === '0') return undefined;
  const base = absolute(env.XDG_CACHE_HOME) ?? (absolute(env.HOME) && `${env.HOME}/.cache`);
  if (!base) return undefined;
  const build = /^\/\/ door build ([0-9a-f]{16})\n/.exec(source);
  if (!build) return undefined;
  const dir = `${base}/git-credential-pat`;
  return { base, dir, file: `${dir}/door-${build[1]}-${process.version}-${process.arch}.v8` };
}

/*
 * V8 release builds check a code cache's header and length, not its contents: damaged
 * bytes ran as code (a fatal "unreachable code", exit 133, or wrong answers), and the
 * process died before it could replace the file, so every later get died too. So the
 * file carries its own check, made before V8 sees a byte of it; a file that fails is
 * ignored and rewritten. Damage is what this guards against (a torn write, a bad disk,
 * a stray write), not an attacker: whoever can write the file runs as you (SECURITY.md).
 * The check is a second copy of the payload, compared with memcmp (Buffer.equals):
 * damage passes only by hitting both copies alike. A checksum in JavaScript took longer
 * than the compile the cache saves, and node:crypto's loading as long again (measured).
 */
function intact(file) {
  if (file === undefined || file.length < HEADER) return undefined;
  if (file.byteOffset % 4 !== 0) file = Buffer.from(new Uint8Array(file).buffer);
  const [magic, length] = new Uint32Array(file.buffer, file.byteOffset, 2);
  if (magic !== MAGIC || file.length !== HEADER + 2 * length) return undefined;
  const payload = file.subarray(HEADER, HEADER + length);
  return payload.equals(file.subarray(HEADER + length)) ? payload : undefined;
}

/** V8's cache behind our header, twice. */
function sealed(payload) {
  const file = Buffer.alloc(HEADER + 2 * payload.length);
  new Uint32Array(file.buffer, file.byteOffset, 2).set([MAGIC, payload.length]);
  payload.copy(file, HEADER);
  payload.copy(file, HEADER + payload.length);
  return file;
}

function absolute(value) {
  return value && value.startsWith('/') ? value : undefined;
}

/** True when a stat is this user's and no one else can write to it. */
function ours(stat) {
  return stat.uid === process.getuid() && (stat.mode & 0o022) === 0;
}

function readOwnFile(fs, dir, file) {
  let fd;
  try {
    if (!ours(fs.statSync(dir))) return undefined;
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    return ours(fs.fstatSync(fd)) ? fs.readFileSync(fd) : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Written whole under a random name, then renamed into place: a helper running at the
 * same time reads the old file or the new one. Of the folders, only the cache folder
 * and ours in it are made: never a HOME that is not there, and never, as root, in a
 * folder root does not own (root with another user's HOME, as `sudo -E` leaves it,
 * would make folders there that user's programs can no longer write to).
 */
function writeOwnFile(fs, path, { base, dir, file }, bytes) {
  const temporary = `${file}.${Math.random().toString(36).slice(2, 12)}.tmp`;
  try {
    for (const folder of [base, dir]) {
      if (fs.statSync(folder, { throwIfNoEntry: false })) continue;
      if (process.getuid() === 0 && fs.statSync(path.dirname(folder)).uid !== 0) return;
      try {
        fs.mkdirSync(folder, { mode: 0o700 });
      } catch (error) {
        if (error.code !== 'EEXIST') throw error;
      }
    }
    if (!ours(fs.statSync(dir))) return;
    fs.writeFileSync(temporary, bytes(), { mode: 0o600, flag: 'wx' });
    fs.renameSync(temporary, file);
  } catch {
    try {
      fs.unlinkSync(temporary);
    } catch {}
  }
}
