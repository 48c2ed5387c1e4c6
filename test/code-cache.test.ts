// The doors' V8 code caches (bin/git-credential-pat.cjs): kept in the user's cache
// folder, used only when it is the user's alone, never holding a value the helper
// handled, and never in the way: whatever is wrong with it, get answers the same.
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { request, runHelper, testHome, uniqueHost } from './support/helper-process.js';

const DOOR = new URL('../dist/door.cjs', import.meta.url);
/** The bundle a hit, a miss and an unchanged store run (src/quick-door.ts): the cache a get uses. */
const QUICK = new URL('../dist/quick.cjs', import.meta.url);
const buildOf = (bundle: URL) => /^\/\/ door build ([0-9a-f]{16})\n/.exec(readFileSync(bundle, 'utf8'))?.[1];
/** Our header before V8's bytes: magic and length; then the payload twice (bin/git-credential-pat.cjs). */
const HEADER = 8;
const given = (file: string) => (statSync(file).size - HEADER) / 2;

/** A preload that reports, on stderr's sibling file, what cache each vm.Script was given and whether V8 took it. */
function cacheProbe(): { env: NodeJS.ProcessEnv; seen: () => Array<{ given: number; rejected: boolean }> } {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-cache-probe-'));
  const log = join(dir, 'seen.jsonl');
  const probe = join(dir, 'probe.cjs');
  writeFileSync(
    probe,
    `const vm = require('node:vm'); const fs = require('node:fs'); const Script = vm.Script;
vm.Script = class extends Script { constructor(source, options) { super(source, options);
  fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ given: options && options.cachedData ? options.cachedData.length : 0, rejected: this.cachedDataRejected === true }) + '\\n'); } };\n`,
  );
  return {
    env: { NODE_OPTIONS: `--require=${probe}` },
    seen: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []),
  };
}

function cacheFiles(home: NodeJS.ProcessEnv): string[] {
  const dir = join(String(home.XDG_CACHE_HOME), 'git-credential-pat');
  return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)).sort() : [];
}

/** The quick door's cache file: the one every get below is given. */
function quickCache(home: NodeJS.ProcessEnv): string {
  const file = cacheFiles(home).find((f) => f.includes(`/door-${buildOf(QUICK)}-`));
  if (!file) throw new Error('no code cache for dist/quick.cjs');
  return file;
}

async function storeAndGet(env: NodeJS.ProcessEnv, password: string) {
  const host = uniqueHost('cc');
  const stored = await runHelper(['store'], request({ protocol: 'https', host, username: 'u', password }), env);
  expect(stored).toMatchObject({ code: 0, stderr: '' });
  return Object.assign(async (extra: NodeJS.ProcessEnv = {}) => runHelper(['get'], request({ protocol: 'https', host }), { ...env, ...extra }), { host });
}

describe("the door's code cache", () => {
  it('is written once per bundle, private to the user, named by the build and this Node, then used', async () => {
    const home = testHome();
    const probe = cacheProbe();
    const env = { ...home, ...probe.env };
    const get = await storeAndGet(env, 'cc-secret-1');
    // A new credential is a write: the quick door handed it to the whole door, so both ran.
    const files = cacheFiles(home);
    expect(files).toEqual(
      [DOOR, QUICK].map((bundle) => join(String(home.XDG_CACHE_HOME), 'git-credential-pat', `door-${buildOf(bundle)}-${process.version}-${process.arch}.v8`)).sort(),
    );
    expect(statSync(join(String(home.XDG_CACHE_HOME), 'git-credential-pat')).mode & 0o777).toBe(0o700);
    for (const file of files) expect(statSync(file).mode & 0o777).toBe(0o600);

    expect(await get()).toMatchObject({ code: 0, stdout: 'username=u\npassword=cc-secret-1\n', stderr: '' });
    // The store had no cache for either bundle; the get ran the quick door only, given its cache (behind our header), and V8 took it.
    expect(probe.seen()).toEqual([
      { given: 0, rejected: false },
      { given: 0, rejected: false },
      { given: given(quickCache(home)), rejected: false },
    ]);
  });

  it('holds no value the helper handled: not the token, not the host', async () => {
    const home = testHome();
    const token = `ghp_${'c'.repeat(30)}CodeCacheProbe`;
    const get = await storeAndGet(home, token);
    expect((await get()).stdout).toContain(token);
    for (const file of cacheFiles(home)) {
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(token)), 'the token is in the code cache').toBe(false);
      expect(bytes.includes(Buffer.from('CodeCacheProbe', 'utf16le')), 'the token is in the code cache').toBe(false);
      expect(bytes.includes(Buffer.from(get.host)), 'the host is in the code cache').toBe(false);
      expect(bytes.includes(Buffer.from(get.host, 'utf16le')), 'the host is in the code cache').toBe(false);
    }
  });

  it('a cache V8 refuses (garbage, another build) changes nothing for git and is replaced', async () => {
    const home = testHome();
    const get = await storeAndGet(home, 'cc-secret-2');
    const file = quickCache(home);
    writeFileSync(String(file), Buffer.alloc(4096, 0x5a), { mode: 0o600 });
    const probe = cacheProbe();
    expect(await get()).toMatchObject({ code: 0, stdout: 'username=u\npassword=cc-secret-2\n', stderr: '' });
    const env = { ...home, ...probe.env };
    expect(await runHelper(['get'], request({ protocol: 'https', host: 'nothing-here.example.invalid' }), env)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    // Replaced by the first get after the garbage, so the next run was given a cache V8 takes.
    expect(probe.seen()).toEqual([{ given: given(String(file)), rejected: false }]);
  });

  // Issue 21, item 5: V8 checks only a cache's header and length, so damaged bytes ran as code.
  it('a damaged cache never reaches V8: every get answers, and the next one is given a good cache again', async () => {
    const home = testHome();
    const get = await storeAndGet(home, 'cc-secret-7');
    const file = quickCache(home);
    const good = readFileSync(String(file));
    // Eight bytes of ff at offsets across the whole file (the review's 121 offsets found 70 fatal).
    const offsets = Array.from({ length: 24 }, (_, i) => HEADER + Math.floor(((good.length - HEADER - 8) * (i + 0.5)) / 24));
    const wrong: string[] = [];
    for (const offset of [0, 4, 8, ...offsets]) {
      const damaged = Buffer.from(good);
      damaged.fill(0xff, offset, offset + 8);
      writeFileSync(String(file), damaged, { mode: 0o600 });
      const probe = cacheProbe();
      const result = await get(probe.env);
      if (result.code !== 0 || result.stdout !== 'username=u\npassword=cc-secret-7\n' || result.stderr !== '') wrong.push(`ff at ${offset}: exit ${result.code}`);
      // Never handed to V8, and the failure does not repeat: the next get is given a good cache.
      else if (probe.seen()[0]?.given !== 0) wrong.push(`ff at ${offset}: handed to V8`);
      const next = cacheProbe();
      const after = await get(next.env);
      if (after.code !== 0 || after.stdout !== 'username=u\npassword=cc-secret-7\n') wrong.push(`after ff at ${offset}: exit ${after.code}`);
      else if (next.seen()[0]?.rejected !== false || next.seen()[0]?.given === 0) wrong.push(`after ff at ${offset}: no good cache`);
    }
    expect(wrong).toEqual([]);
    // Cut short, as a torn write leaves it.
    writeFileSync(String(file), good.subarray(0, good.length - 1000), { mode: 0o600 });
    const probe = cacheProbe();
    expect(await get(probe.env)).toMatchObject({ code: 0, stdout: 'username=u\npassword=cc-secret-7\n', stderr: '' });
    expect(probe.seen()).toEqual([{ given: 0, rejected: false }]);
  }, 120_000);

  it('is neither read nor written where someone else could write it', async () => {
    const home = testHome();
    const get = await storeAndGet(home, 'cc-secret-3');
    const dir = join(String(home.XDG_CACHE_HOME), 'git-credential-pat');
    const file = quickCache(home);

    // A file others may write: not read; our write replaces it with a private one.
    chmodSync(String(file), 0o666);
    const probe = cacheProbe();
    expect(await get(probe.env)).toMatchObject({ code: 0, stdout: 'username=u\npassword=cc-secret-3\n', stderr: '' });
    expect(probe.seen()).toEqual([{ given: 0, rejected: false }]);
    expect(statSync(String(file)).mode & 0o777).toBe(0o600);

    // A folder others may write: neither read nor written.
    chmodSync(dir, 0o777);
    const before = readFileSync(String(file));
    writeFileSync(String(file), Buffer.alloc(16, 1), { mode: 0o600 });
    const again = cacheProbe();
    expect(await runHelper(['get'], request({ protocol: 'https', host: 'nothing-here.example.invalid' }), { ...home, ...again.env })).toMatchObject({ code: 0, stderr: '' });
    expect(again.seen()).toEqual([{ given: 0, rejected: false }]);
    expect(readFileSync(String(file))).toEqual(Buffer.alloc(16, 1));
    expect(before.length).toBeGreaterThan(16);
  });

  // `sudo git pull` with the user's HOME: root must not run what that user could write.
  it.runIf(process.getuid?.() === 0)("is neither read nor written in another user's folder (root with a user's HOME)", async () => {
    const home = testHome();
    const get = await storeAndGet(home, 'cc-secret-6');
    const dir = join(String(home.XDG_CACHE_HOME), 'git-credential-pat');
    const file = quickCache(home);
    const cached = readFileSync(String(file));
    chownSync(dir, 4242, 4242);
    chownSync(String(file), 4242, 4242);
    const probe = cacheProbe();
    expect(await get(probe.env)).toMatchObject({ code: 0, stdout: 'username=u\npassword=cc-secret-6\n', stderr: '' });
    expect(probe.seen()).toEqual([{ given: 0, rejected: false }]);
    expect(statSync(String(file)).uid).toBe(4242);
    expect(readFileSync(String(file))).toEqual(cached);

    // Their file in our folder: not read, and replaced by one of ours.
    chownSync(dir, 0, 0);
    const again = cacheProbe();
    expect(await get(again.env)).toMatchObject({ code: 0, stdout: 'username=u\npassword=cc-secret-6\n', stderr: '' });
    expect(again.seen()).toEqual([{ given: 0, rejected: false }]);
    expect(statSync(String(file)).uid).toBe(0);
  });

  // Issue 21, item 6: `sudo -E git push` runs the helper as root with the user's HOME.
  it.runIf(process.getuid?.() === 0)("as root, makes no folder in a home root does not own: not ~/.cache, not ~/.local/state", async () => {
    const env: NodeJS.ProcessEnv = { ...testHome(), XDG_CACHE_HOME: undefined, XDG_STATE_HOME: undefined };
    chownSync(String(env.HOME), 4243, 4243);
    const host = uniqueHost('sudo');
    const stored = await runHelper(['store'], request({ protocol: 'https', host, username: 'u', password: 'cc-secret-8' }), env);
    expect(stored.stderr).toMatch(/^git-credential-pat: not creating \S+ as root: \S+ belongs to uid 4243[^\n]*sudo -H\)\n$/);
    expect(await runHelper(['get'], request({ protocol: 'https', host }), env)).toMatchObject({ code: 0, stdout: 'username=u\npassword=cc-secret-8\n' });
    expect(readdirSync(String(env.HOME))).toEqual([]);
    // Where root may write (its own folders), everything works as before.
    chownSync(String(env.HOME), 0, 0);
    expect(await runHelper(['erase'], request({ protocol: 'https', host }), env)).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(join(String(env.HOME), '.cache', 'git-credential-pat'))).toBe(true);
  });

  it('is off with GIT_CREDENTIAL_PAT_CODE_CACHE=0, without an absolute cache folder, and makes no HOME', async () => {
    const off = { ...testHome(), GIT_CREDENTIAL_PAT_CODE_CACHE: '0' };
    const get = await storeAndGet(off, 'cc-secret-4');
    expect(await get()).toMatchObject({ code: 0, stdout: 'username=u\npassword=cc-secret-4\n', stderr: '' });
    expect(cacheFiles(off)).toEqual([]);

    // A HOME that is not there is not made, nor anything under it.
    const missing: NodeJS.ProcessEnv = { ...testHome(), XDG_CACHE_HOME: undefined };
    missing.HOME = join(String(missing.HOME), 'not-there');
    const gone = await storeAndGet(missing, 'cc-secret-5');
    expect(await gone()).toMatchObject({ code: 0, stdout: 'username=u\npassword=cc-secret-5\n', stderr: '' });
    expect(existsSync(String(missing.HOME))).toBe(false);

    const env = { ...testHome(), XDG_CACHE_HOME: 'relative', HOME: 'also-relative' };
    const probe = cacheProbe();
    expect(await runHelper(['get'], request({ protocol: 'https', host: 'nothing-here.example.invalid' }), { ...env, ...probe.env })).toMatchObject({ code: 0, stderr: '' });
    // Compiled once, as always, and given no cache.
    expect(probe.seen()).toEqual([{ given: 0, rejected: false }]);
  });
});
