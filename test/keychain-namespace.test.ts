// list and logout see every item in our keychain namespace, not only what this
// index remembers: a token stored under another XDG_STATE_HOME is still served by
// get, so it must be listable and removable. The logic over any backend that can
// list its items; the Secret Service backend is the one that can on Linux.
import { describe, expect, it } from 'vitest';
import { serviceName, targetOfService, type Target } from '../src/credential.js';
import { decodeGitBytes } from '../src/git-bytes.js';
import { IndexedStore } from '../src/store/indexed-store.js';
import { MemoryIndex, MemorySecrets } from '../src/store/memory.js';

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
