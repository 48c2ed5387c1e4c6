// url= is parsed as git parses it: for thousands of generated URLs, the credential
// the real git builds from `url=` (credential_read -> credential_from_url) equals
// ours, field for field and byte for byte, or ours refuses it.
//
// One git process parses them all: git's credential-cache daemon reads every request
// with credential_read, so `url=` in a request is parsed by git's own code, and its
// answers (which stored entry matches git's parse) tell us what git made of it. A
// process per URL (`git credential fill` and a capturing helper) costs ~100 ms on a
// loaded 2-core machine; a request to the daemon costs well under 1 ms.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGitBytes } from '../src/git-bytes.js';
import { parseAttributes, ProtocolError, single } from '../src/protocol.js';

const CASES = Number(process.env.URL_DIFFERENTIAL_CASES || 3000);
const SEED = Number(process.env.URL_DIFFERENTIAL_SEED || Date.now() % 2 ** 31);

let root: string;
let socket: string;
let daemon: ChildProcess;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gcp-urldiff-'));
  socket = join(root, 's');
  daemon = spawn('git', ['credential-cache--daemon', socket], {
    env: { PATH: process.env.PATH, HOME: root, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // It prints "ok" once it listens.
  await new Promise<void>((resolve, reject) => {
    daemon.stdout!.once('data', () => resolve());
    daemon.once('exit', (code) => reject(new Error(`git credential-cache--daemon exited (${code})`)));
  });
});

afterAll(async () => {
  if (daemon.exitCode === null) {
    await ask('exit', []).catch(() => {});
    daemon.kill();
  }
  rmSync(root, { recursive: true, force: true });
});

type Line = readonly [string, Buffer];

/** One request to the daemon: `action=`, `timeout=`, then credential lines; its answer. */
function ask(action: string, lines: readonly Line[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const client = connect(socket);
    client.on('data', (d: Buffer) => out.push(d));
    client.on('end', () => resolve(Buffer.concat(out)));
    client.on('error', reject);
    const body = lines.map(([key, value]) => Buffer.concat([Buffer.from(`${key}=`), value, Buffer.from('\n')]));
    client.end(Buffer.concat([Buffer.from(`action=${action}\ntimeout=600\n`), ...body, Buffer.from('\n')]));
  });
}

interface Parts {
  protocol: Buffer;
  host: Buffer;
  path?: Buffer;
  username?: Buffer;
  password?: Buffer;
}

/** Our parse of `url=`, as bytes; undefined when we refuse it. */
function ours(url: Buffer): Parts | undefined {
  let attributes;
  try {
    attributes = parseAttributes(Buffer.concat([Buffer.from('url='), url, Buffer.from('\n')]));
  } catch (error) {
    if (error instanceof ProtocolError) return undefined;
    throw error;
  }
  const field = (name: string) => {
    const value = single(attributes, name);
    return value === undefined ? undefined : encodeGitBytes(value);
  };
  return {
    protocol: field('protocol')!,
    host: field('host')!,
    ...(field('path') ? { path: field('path')! } : {}),
    ...(field('username') ? { username: field('username')! } : {}),
    ...(field('password') ? { password: field('password')! } : {}),
  };
}

const b = (text: string) => Buffer.from(text, 'latin1');
// Values git's parse can never hold where we accept: ours refuses control characters.
const NO_USER = b('\x01no-user');
const DECOY_USER = b('\x01');

function entry(p: Parts, changes: { username?: Buffer; path?: Buffer | null; password: Buffer }): Line[] {
  const path = changes.path === null ? undefined : (changes.path ?? p.path);
  return [
    ['protocol', p.protocol],
    ['host', p.host],
    ...(path === undefined ? [] : [['path', path] as Line]),
    ['username', changes.username ?? p.username ?? NO_USER],
    ['password', changes.password],
  ];
}

/**
 * Forgets every entry of this protocol and host. The daemon erases the first match
 * only, and a removal moves its last entry into the hole, so erase until none is left.
 */
async function clear(p: Parts): Promise<void> {
  const all: Line[] = [['protocol', p.protocol], ['host', p.host]];
  while ((await ask('get', all)).length > 0) await ask('erase', all);
}

const answer = (username: Buffer, password: Buffer) => Buffer.concat([b('username='), username, b('\npassword='), password, b('\n')]);

/**
 * Checks git's parse of `url` against ours; returns a description of the difference, or undefined.
 * Round 1 stores our parse (and decoys that differ only in a field's presence) and asks
 * with `url=`: the daemon answers with the first entry whose fields equal every field
 * of git's parse, so only our own entry may answer. Round 2 stores git's parse and asks
 * with ours: the same password comes back, or none when we see no user or password.
 */
async function differ(url: Buffer, p: Parts): Promise<string | undefined> {
  const decoys: Array<{ lines: Line[]; label: string }> = [];
  if (p.username !== undefined) decoys.push({ lines: entry(p, { username: DECOY_USER, password: b('decoy-user') }), label: 'git sees no username' });
  if (p.path !== undefined) decoys.push({ lines: entry(p, { path: null, password: b('decoy-path') }), label: 'git sees no path' });
  const ourEntry = entry(p, { password: b('ours') });
  for (const d of decoys) await ask('store', d.lines);
  await ask('store', ourEntry);
  const first = await ask('get', [['url', url]]);
  await clear(p);
  const expected = answer(p.username ?? NO_USER, b('ours'));
  if (!first.equals(expected)) {
    const decoy = decoys.find((d) => first.includes(b(`password=${d.lines.at(-1)![1].toString('latin1')}`)));
    return decoy ? decoy.label : `git's protocol, host, path or username differ (daemon answered ${JSON.stringify(first.toString('latin1'))})`;
  }

  await ask('store', [['url', url]]);
  const query = entry(p, { password: b('') }).filter(([k]) => k !== 'password' && !(k === 'username' && p.username === undefined));
  const second = await ask('get', query);
  await clear(p);
  const wanted = p.username !== undefined && p.password !== undefined ? answer(p.username, p.password) : Buffer.alloc(0);
  if (!second.equals(wanted)) return `password: git ${JSON.stringify(second.toString('latin1'))}, ours ${JSON.stringify(wanted.toString('latin1'))}`;
  return undefined;
}

// Pieces chosen to hit every branch of git's parser: user-info, ports, the host's end
// at / ? #, escapes git decodes or keeps (%00, %4g, a lone %), the part before a ':'
// that git leaves undecoded, and bytes that are not UTF-8. Control characters (which
// we refuse) come rarely, so that most URLs are compared rather than refused.
const PIECES = [
  'github.com', 'evil.example', 'a', 'B', '1', '8443', '.', '~', '+', ' ', '=', '[::1]',
  '@', '@', ':', ':', '/', '/', '//', '?', '#',
  '%', '%%', '%2f', '%2F', '%40', '%3a', '%3A', '%23', '%3f', '%41', '%4', '%4g', '%zz', '%20', '%2b',
  '%00', '%ff', '%c3%bf', '%e9', '%ef%bf%bd', 'é',
].map((p) => Buffer.from(p)).concat([Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xe9])]);
const CONTROLS = ['%0a', '%0d', '%01', '%09', '%1b', '%7f', '\x7f', '\r', '\t'].map((p) => Buffer.from(p));
const SCHEMES = ['https', 'https', 'https', 'http', 'HTTPS', 'git+ssh', 'a b', 'ht%41tp', 'x:y', 'h/t'];

const piece = fc.oneof({ arbitrary: fc.constantFrom(...PIECES), weight: 30 }, { arbitrary: fc.constantFrom(...CONTROLS), weight: 1 });
const urls = fc
  .tuple(fc.constantFrom(...SCHEMES), fc.array(piece, { maxLength: 12 }))
  .map(([scheme, pieces]) => Buffer.concat([Buffer.from(`${scheme}://`), ...pieces]));

describe('url= against the real git', () => {
  it('parses every generated url= as git does, or refuses it', async () => {
    const samples = fc.sample(urls, { numRuns: CASES, seed: SEED });
    let compared = 0;
    let refused = 0;
    const differences: string[] = [];
    for (const url of samples) {
      const p = ours(url);
      if (!p) {
        refused++;
        continue;
      }
      compared++;
      const difference = await differ(url, p);
      if (difference) differences.push(`${JSON.stringify(url.toString('latin1'))}: ${difference}`);
      if (differences.length >= 5) break;
    }
    console.log(`url= differential (seed ${SEED}): ${samples.length} URLs, ${compared} parsed alike by git and by us, ${refused} refused by us`);
    expect(differences).toEqual([]);
    expect(compared).toBeGreaterThan(CASES / 3);
  }, 120_000);

  it('refuses what git refuses: no scheme, or an empty one', () => {
    for (const url of ['github.com/x', '://github.com', 'https:/github.com', 'https//github.com']) {
      expect(ours(Buffer.from(url)), url).toBeUndefined();
    }
  });
});
