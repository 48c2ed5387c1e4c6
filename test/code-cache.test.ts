// The door's V8 code cache (bin/git-credential-pat.cjs): kept in the user's cache
// folder, used only when it is the user's alone, never holding a value the helper
// handled, and never in the way: whatever is wrong with it, get answers the same.
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { request, runHelper, testHome, uniqueHost } from './support/helper-process.js';

const DOOR = new URL('../dist/door.cjs', import.meta.url);

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
  return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
}

async function storeAndGet(env: NodeJS.ProcessEnv, password: string) {
  const host = uniqueHost('cc');
  const stored = await runHelper(['store'], request({ protocol: 'https', host, username: 'u', password }), env);
  expect(stored).toMatchObject({ code: 0, stderr: '' });
  return Object.assign(async (extra: NodeJS.ProcessEnv = {}) => runHelper(['get'], request({ protocol: 'https', host }), { ...env, ...extra }), { host });
}

describe("the door's code cache", () => {
  it('is written once, private to the user, named by the build and this Node, then used', async () => {
    const home = testHome();
    const probe = cacheProbe();
    const env = { ...home, ...probe.env };
    const get = await storeAndGet(env, 'cc-secret-1');
    const [file, ...more] = cacheFiles(home);
    expect(more).toEqual([]);
    const build = /^\/\/ door build ([0-9a-f]{16})\n/.exec(readFileSync(DOOR, 'utf8'))?.[1];
    expect(file).toMatch(new RegExp(`/door-${build}-${process.version}-${process.arch}\\.v8$`));
    expect(statSync(join(String(home.XDG_CACHE_HOME), 'git-credential-pat')).mode & 0o777).toBe(0o700);
    expect(statSync(String(file)).mode & 0o777).toBe(0o600);

    expect(await get()).toMatchObject({ code: 0, stdout: 'username=u\npassword=cc-secret-1\n', stderr: '' });
    // The store had no cache; the get was given the store's and V8 took it.
    expect(probe.seen()).toEqual([
      { given: 0, rejected: false },
      { given: statSync(String(file)).size, rejected: false },
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
    const [file] = cacheFiles(home);
    writeFileSync(String(file), Buffer.alloc(4096, 0x5a), { mode: 0o600 });
    const probe = cacheProbe();
    expect(await get()).toMatchObject({ code: 0, stdout: 'username=u\npassword=cc-secret-2\n', stderr: '' });
    const env = { ...home, ...probe.env };
    expect(await runHelper(['get'], request({ protocol: 'https', host: 'nothing-here.example.invalid' }), env)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    // Replaced by the first get after the garbage, so the next run was given a cache V8 takes.
    expect(probe.seen()).toEqual([{ given: statSync(String(file)).size, rejected: false }]);
  });

  it('is neither read nor written where someone else could write it', async () => {
    const home = testHome();
    const get = await storeAndGet(home, 'cc-secret-3');
    const dir = join(String(home.XDG_CACHE_HOME), 'git-credential-pat');
    const [file] = cacheFiles(home);

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
    const [file] = cacheFiles(home);
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
