// list and logout see every item in our keychain namespace, not only what this
// index remembers: a token stored under another XDG_STATE_HOME is still served by
// get, so it must be listable and removable. The logic over any backend that can
// list its items; the Secret Service backend is the one that can on Linux, shown
// end to end against a real one. Where the keychain cannot be listed, list and
// logout say so instead of calling the keychain empty.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceName, targetOfService, type Target } from '../src/credential.js';
import { decodeGitBytes } from '../src/git-bytes.js';
import { IndexedStore } from '../src/store/indexed-store.js';
import { KeychainSecrets } from '../src/store/keychain.js';
import { MemoryIndex, MemorySecrets } from '../src/store/memory.js';
import { secretServiceReader, type SecretReader } from '../src/store/secret-service-reader.js';
import { gitClient } from './support/git-client.js';
import { request, runHelper, testHome, uniqueHost } from './support/helper-process.js';
import { ownKeyring } from './support/private-keyring.js';

describe('our keychain namespace', () => {
  it('service names read back to the target that named them', () => {
    const targets: Target[] = [
      { protocol: 'https', host: 'github.com' },
      { protocol: 'https', host: 'ghe.example:8443', path: 'org/repo.git' },
      { protocol: 'cert', host: '', path: '/home/me/cert.pem' },
      { protocol: 'https', host: 'h', path: decodeGitBytes(Buffer.from([0x61, 0xff])) },
    ];
    for (const target of targets) expect(targetOfService(serviceName(target))).toEqual(target);
    expect(targetOfService('git:https://github.com')).toBeUndefined();
    expect(targetOfService('git-credential-pat:nonsense')).toBeUndefined();
  });

  it('list finds an item another index stored, with its secret; logout removes it', async () => {
    const keychain = new MemorySecrets();
    const ide = new IndexedStore(keychain, new MemoryIndex());
    const shell = new IndexedStore(keychain, new MemoryIndex());
    await ide.write({ protocol: 'https', host: 'github.com' }, 'octocat', { password: 'ghp_fromTheIde' });
    await ide.write({ protocol: 'https', host: 'github.com', path: 'org/r.git' }, 'octocat', { password: 'p' });
    await shell.write({ protocol: 'https', host: 'github.com' }, 'hubot', { password: 'h' });
    // Someone else's item beside ours is not ours.
    await keychain.set('git:https://github.com', 'octocat', 'gcm');

    const seen = (await shell.list()).map((c) => `${serviceName(c.target)} ${c.username} ${c.secret.password}`).sort();
    expect(seen).toEqual([
      'git-credential-pat:https://github.com hubot h',
      'git-credential-pat:https://github.com octocat ghp_fromTheIde',
      'git-credential-pat:https://github.com/org/r.git octocat p',
    ]);
    for (const c of await shell.list()) if (c.username === 'octocat') await shell.remove(c.target, c.username);
    expect((await ide.list()).map((c) => c.username)).toEqual(['hubot']);
    expect(await keychain.get('git:https://github.com', 'octocat')).toBe('gcm');
  });
});

describe('a keychain that cannot be listed', () => {
  const refusing: SecretReader = {
    get: async () => ({ kind: 'ask-binding', reason: 'test' }),
    find: async () => ({ kind: 'ask-binding', reason: 'test' }),
    itemsUnder: async () => ({ kind: 'ask-binding', reason: 'an item is in a locked collection' }),
    gone: async () => ({ kind: 'ask-binding', reason: 'test' }),
  };

  it('the Secret Service handing over, or no reader at all (macOS, Windows), is "cannot list", not "nothing there"', async () => {
    expect(await new KeychainSecrets(1000, refusing).itemsUnder('git-credential-pat:')).toBeUndefined();
    expect(await new KeychainSecrets(1000).itemsUnder('git-credential-pat:')).toBeUndefined();
    expect(await new IndexedStore(new KeychainSecrets(1000, refusing), new MemoryIndex()).inventory()).toEqual({ credentials: [], wholeKeychain: false, unconfirmed: [] });
    expect(await new IndexedStore(new MemorySecrets(), new MemoryIndex()).inventory()).toEqual({ credentials: [], wholeKeychain: true, unconfirmed: [] });
  });

  it('list and logout, with no bus that answers and nothing recorded, say the keychain cannot be read, not that it is empty', async () => {
    const env: NodeJS.ProcessEnv = { ...testHome(), DBUS_SESSION_BUS_ADDRESS: 'tcp:host=127.0.0.1,port=9' };
    const listed = await runHelper(['list'], '', env);
    expect(listed).toMatchObject({ code: 1, stdout: '' });
    expect(listed.stderr).toMatch(/^git-credential-pat list: the keychain cannot be read: [^\n]*\n$/);
    const json = await runHelper(['list', '--json'], '', env);
    expect(json).toMatchObject({ code: 1, stdout: '', stderr: listed.stderr });
    const logout = await runHelper(['logout', '--yes'], '', env);
    expect(logout.code).toBe(1);
    expect(logout.stderr).toMatch(/^git-credential-pat logout: the keychain cannot be read: [^\n]*\n$/);
  });
});

describe('a token stored under another XDG_STATE_HOME, against a real Secret Service', () => {
  // logout --yes removes everything of ours in the keychain: this keyring is the block's own.
  const keyring = ownKeyring();

  const TOKEN = 'ghp_storedByTheIde0000000000000000000000001';
  const OTHER = 'glpat-storedByTheIdeToo00001';

  function lookup(host: string, username: string): { code: number | null; stdout: string } {
    const found = spawnSync('secret-tool', ['lookup', 'service', `git-credential-pat:https://${host}`, 'username', username], { encoding: 'utf8', env: { ...process.env, ...keyring.env } });
    return { code: found.status, stdout: found.stdout };
  }

  async function storedByTheIde(pairs: Array<[string, string, string]>) {
    // A sandboxed IDE: git itself stores the token through the helper, with a state directory of its own.
    const ide = gitClient('/dev/null');
    Object.assign(ide.env, keyring.env, { XDG_STATE_HOME: join(ide.root, 'ide-state') });
    expect((await ide.git(['config', '--global', 'credential.helper', 'pat'])).code).toBe(0);
    for (const [host, username, password] of pairs) {
      const approved = await ide.git(['credential', 'approve'], { input: request({ protocol: 'https', host, username, password }) });
      expect(approved).toMatchObject({ code: 0, stderr: '' });
      expect(lookup(host, username).stdout).toBe(password);
    }
    expect(existsSync(join(ide.root, 'ide-state', 'git-credential-pat', 'index.json'))).toBe(true);
    return ide;
  }

  it('list (text and JSON) shows it, marked as not in this index; logout --host removes it; get no longer answers', async () => {
    const host = uniqueHost('ide');
    const ide = await storedByTheIde([[host, 'octocat', TOKEN]]);
    // The person's login shell: same keychain, another index.
    const shell: NodeJS.ProcessEnv = { ...testHome(), ...keyring.env };
    expect(readFileSync(join(ide.env.XDG_STATE_HOME!, 'git-credential-pat', 'index.json'), 'utf8')).toContain(host);
    expect(existsSync(join(shell.XDG_STATE_HOME!, 'git-credential-pat', 'index.json'))).toBe(false);

    const text = await runHelper(['list'], '', shell);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toMatch(new RegExp(`^${host.replace(/\./g, '\\.')}\\s+octocat \\*\\s+github\\s+classic\\s`, 'm'));
    expect(text.stdout).toContain('* in the keychain but not in this index');
    const json = JSON.parse((await runHelper(['list', '--json'], '', shell)).stdout) as Array<Record<string, unknown>>;
    expect(json).toEqual([expect.objectContaining({ host, protocol: 'https', path: null, username: 'octocat', kind: 'classic', inIndex: false, isDefault: false })]);
    for (const out of [text.stdout, text.stderr, JSON.stringify(json)]) expect(out).not.toContain(TOKEN);

    const logout = await runHelper(['logout', '--host', host], '', shell);
    expect(logout).toMatchObject({ code: 0, stdout: `Removed octocat on https://${host} (not in this index)\n`, stderr: '' });
    expect(lookup(host, 'octocat')).toEqual({ code: 1, stdout: '' });
    expect(await runHelper(['get'], request({ protocol: 'https', host }), ide.env)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const fill = await ide.git(['credential', 'fill'], { input: `url=https://${host}\n\n` });
    expect(fill.stdout).not.toContain(TOKEN);
    // The IDE's own index row goes at its next list: the keychain is the truth.
    expect((await runHelper(['list', '--json'], '', ide.env)).stdout).toBe('[]\n');
  });

  it('logout --yes (every host) removes them too, and leaves nothing of ours in the keychain', async () => {
    const [a, b] = [uniqueHost('ide'), uniqueHost('ide')];
    const ide = await storedByTheIde([
      [a, 'octocat', TOKEN],
      [b, 'oauth2', OTHER],
    ]);
    const shell: NodeJS.ProcessEnv = { ...testHome(), ...keyring.env };
    const logout = await runHelper(['logout', '--yes'], '', shell);
    expect(logout.code).toBe(0);
    expect(logout.stdout.split('\n').filter(Boolean).sort()).toEqual([
      `Removed oauth2 on https://${b} (not in this index)`,
      `Removed octocat on https://${a} (not in this index)`,
    ]);
    expect(lookup(a, 'octocat').code).toBe(1);
    expect(lookup(b, 'oauth2').code).toBe(1);
    for (const host of [a, b]) expect((await runHelper(['get'], request({ protocol: 'https', host }), ide.env)).stdout).toBe('');
    expect((await runHelper(['list', '--json'], '', shell)).stdout).toBe('[]\n');
    // Our own D-Bus client, reading the keychain itself: nothing of ours is left.
    expect(await secretServiceReader(keyring.env)!.itemsUnder('git-credential-pat:', new AbortController().signal)).toEqual({ kind: 'answer', value: [] });
  });
});
