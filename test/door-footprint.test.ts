// The hot path loads what it uses and nothing else: proven on the real process by
// listing every module it loaded, not by timing it.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bindingPackage } from '../src/store/keyring-binding.js';
import { HELPER, request, runHelper, testHome, uniqueHost } from './support/helper-process.js';

describe('what get loads', () => {
  it('loads one bundle: no native binding on Linux (our own D-Bus client reads), no GitHub code, no network, no streams on stdio', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcp-footprint-'));
    const report = join(dir, 'loaded.json');
    const probe = join(dir, 'probe.cjs');
    writeFileSync(
      probe,
      `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify({ files: Object.keys(require.cache), builtins: process.moduleLoadList })));\n`,
    );
    const env = { ...testHome(), NODE_OPTIONS: `--require=${probe}` };
    const host = uniqueHost();
    await runHelper(['store'], request({ protocol: 'https', host, username: 'u', password: 'p' }), env);
    const result = await runHelper(['get'], request({ protocol: 'https', host }), env);
    expect(result).toMatchObject({ code: 0, stdout: 'username=u\npassword=p\n', stderr: '' });

    // A miss (no terminal here, as for IDEs, CI and cron) loads no more than a hit: not the guide.
    const miss = await runHelper(['get'], request({ protocol: 'https', host: 'github.com', username: 'nobody-footprint' }), { ...env, GIT_TERMINAL_PROMPT: undefined });
    expect(miss).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const missFiles = (JSON.parse(readFileSync(report, 'utf8')) as { files: string[] }).files;
    expect(missFiles.some((f) => f.endsWith('/dist/guide.cjs'))).toBe(false);
    await runHelper(['get'], request({ protocol: 'https', host }), env);

    const { files, builtins } = JSON.parse(readFileSync(report, 'utf8')) as { files: string[]; builtins: string[] };
    const ours = files.filter((f) => !f.endsWith('probe.cjs'));
    // The door comes from its code cache (test/code-cache.test.ts): compiled by vm, so not in require.cache.
    expect(ours.filter((f) => !f.includes('/node_modules/'))).toEqual([HELPER]);
    expect(builtins).toContain('NativeModule vm');
    expect(ours.some((f) => f.includes('octokit') || f.endsWith('/dist/cli.cjs'))).toBe(false);
    // The Secret Service answers over a Unix socket (net); nothing talks TLS or HTTP, and stdio stays plain descriptors.
    for (const heavy of ['NativeModule tls', 'NativeModule http', 'NativeModule https', 'NativeModule readline', 'NativeModule tty']) {
      expect(builtins).not.toContain(heavy);
    }
    if (process.platform === 'linux') {
      expect(ours.filter((f) => f.includes('/node_modules/'))).toEqual([]);
      expect(missFiles.filter((f) => f.includes('/node_modules/'))).toEqual([]);
      // No transfer encryption on this path (SECURITY.md says why), so no crypto either.
      expect(builtins).not.toContain('NativeModule crypto');
      // Neither os (homedir is asked only when HOME is unset) nor module (createRequire, where getBuiltinModule is missing): 0.4 and 0.65 ms.
      expect(builtins).not.toContain('NativeModule os');
      if (typeof process.getBuiltinModule === 'function') expect(builtins).not.toContain('NativeModule module');
    } else {
      expect(ours.filter((f) => f.includes('/node_modules/')).every((f) => f.includes('@napi-rs/keyring'))).toBe(true);
      expect(builtins).not.toContain('NativeModule net');
    }

    // git stores what worked after every success: an unchanged store reads, compares and loads no binding either.
    await runHelper(['store'], request({ protocol: 'https', host, username: 'u', password: 'p' }), env);
    const unchanged = JSON.parse(readFileSync(report, 'utf8')) as { files: string[] };
    if (process.platform === 'linux') expect(unchanged.files.filter((f) => f.includes('/node_modules/'))).toEqual([]);
  });

  it.runIf(process.platform === 'linux')('a hit, a miss and an unchanged store run the quick door only; a write, an expiry reminder and erase run the whole door', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcp-doors-'));
    const log = join(dir, 'doors.log');
    const probe = join(dir, 'probe.cjs');
    // Which bundle each vm.Script compiles (bin/ compiles the doors with node:vm).
    writeFileSync(
      probe,
      `const vm = require('node:vm'); const fs = require('node:fs'); const path = require('node:path'); const Script = vm.Script;
vm.Script = class extends Script { constructor(source, options) { super(source, options); fs.appendFileSync(${JSON.stringify(log)}, path.basename(options.filename) + '\\n'); } };\n`,
    );
    const env = { ...testHome(), NODE_OPTIONS: `--require=${probe}` };
    const doors = async (args: string[], pairs: Record<string, string>) => {
      writeFileSync(log, '');
      const result = await runHelper(args, request(pairs), env);
      return { ...result, doors: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
    };
    const host = uniqueHost('doors');
    const soon = new Date(Date.now() + 3 * 24 * 3600 * 1000);
    const expiry = String(Math.floor(soon.getTime() / 1000));

    expect(await doors(['store'], { protocol: 'https', host, username: 'u', password: 'p1' })).toMatchObject({ code: 0, stderr: '', doors: ['quick.cjs', 'door.cjs'] });
    expect(await doors(['get'], { protocol: 'https', host })).toMatchObject({ code: 0, stdout: 'username=u\npassword=p1\n', stderr: '', doors: ['quick.cjs'] });
    expect(await doors(['get'], { protocol: 'https', host, username: 'u' })).toMatchObject({ code: 0, stdout: 'username=u\npassword=p1\n', doors: ['quick.cjs'] });
    expect(await doors(['get'], { protocol: 'https', host: uniqueHost('doors-miss') })).toMatchObject({ code: 0, stdout: '', stderr: '', doors: ['quick.cjs'] });
    expect(await doors(['store'], { protocol: 'https', host, username: 'u', password: 'p1' })).toMatchObject({ code: 0, stderr: '', doors: ['quick.cjs'] });
    // A changed password is a write.
    expect(await doors(['store'], { protocol: 'https', host, username: 'u', password: 'p2' })).toMatchObject({ code: 0, stderr: '', doors: ['quick.cjs', 'door.cjs'] });
    // Expiring within the week: the reminder (an index write, once a day) is the whole door's, and comes exactly once.
    expect(await doors(['store'], { protocol: 'https', host, username: 'u', password: 'p2', password_expiry_utc: expiry })).toMatchObject({ code: 0, doors: ['quick.cjs', 'door.cjs'] });
    const reminded = await doors(['get'], { protocol: 'https', host });
    expect(reminded).toMatchObject({ code: 0, stdout: `username=u\npassword=p2\npassword_expiry_utc=${expiry}\n`, doors: ['quick.cjs', 'door.cjs'] });
    expect(reminded.stderr).toMatch(/^git-credential-pat: [^\n]*expires[^\n]*\n$/);
    // Given today already: nothing to claim, so the quick door answers, without a reminder.
    const again = await doors(['get'], { protocol: 'https', host });
    expect(again).toMatchObject({ code: 0, stdout: `username=u\npassword=p2\npassword_expiry_utc=${expiry}\n`, stderr: '', doors: ['quick.cjs'] });
    // Bad input: the quick door read it, the whole door says what is wrong.
    const bad = await runHelper(['get'], 'protocol=https\nhost\n\n', env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/^git-credential-pat: invalid input from git: [^\n]+\n$/);
    expect(await doors(['erase'], { protocol: 'https', host, username: 'u' })).toMatchObject({ code: 0, stderr: '', doors: ['door.cjs'] });
  });

  it('answers on a Node 20 older than 20.16, which has no process.getBuiltinModule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcp-old-node-'));
    const probe = join(dir, 'old-node.cjs');
    writeFileSync(probe, 'delete process.getBuiltinModule;\n');
    const env = { ...testHome(), NODE_OPTIONS: `--require=${probe}` };
    const host = uniqueHost();
    expect(await runHelper(['store'], request({ protocol: 'https', host, username: 'u', password: 'p' }), env)).toMatchObject({ code: 0, stderr: '' });
    expect(await runHelper(['get'], request({ protocol: 'https', host }), env)).toMatchObject({ code: 0, stdout: 'username=u\npassword=p\n', stderr: '' });
  });

  it('collects no garbage: what a get allocates stays below the point where V8 schedules a young-generation collection', async () => {
    // When the door's source was 109 KB, read and then copied once more to wrap it, every
    // get passed that point, and the collection (2.3-2.8 ms) ran in the middle of the
    // keychain exchange. This test failed then, on Node 20 and 24.
    const env = testHome();
    const host = uniqueHost();
    await runHelper(['store'], request({ protocol: 'https', host, username: 'u', password: 'p' }), env);
    // spawnSync blocks the test worker, where vitest's own timeout cannot reach: a helper that hung would hang the suite.
    const get = () =>
      spawnSync(process.execPath, ['--trace-gc', HELPER, 'get'], {
        input: request({ protocol: 'https', host }),
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: 15_000,
        killSignal: 'SIGKILL',
      });
    // The first run under these V8 flags compiles the door and writes its code cache; the second is a get as users run it.
    expect(get()).toMatchObject({ status: 0, stderr: '' });
    const usual = get();
    expect(usual).toMatchObject({ status: 0, stderr: '' });
    // --trace-gc reports each collection on stdout, beside git's answer.
    expect(usual.stdout).toBe('username=u\npassword=p\n');
  });

  it("asks for this platform's binding package directly", () => {
    expect(bindingPackage('linux', 'x64')).toBe('@napi-rs/keyring-linux-x64-gnu');
    expect(bindingPackage('darwin', 'arm64')).toBe('@napi-rs/keyring-darwin-arm64');
    expect(bindingPackage('win32', 'x64')).toBe('@napi-rs/keyring-win32-x64-msvc');
    expect(bindingPackage('freebsd', 'x64')).toBeUndefined();
  });

  it('the door bundle holds no forge code: no API client, no provider, only the token shapes its trace redacts', () => {
    const bundle = readFileSync(new URL('../dist/door.cjs', import.meta.url), 'utf8');
    expect(bundle).not.toMatch(/octokit/i);
    expect(bundle).not.toContain('api.github.com');
    // Each provider's token page and the registry that picks one: management only.
    expect(bundle).not.toContain('settings/tokens');
    expect(bundle).not.toMatch(/providerFor|providerClaiming/);
    expect(bundle).toContain('github_pat_');
  });
});
