// The helper as git runs it: a real process, the real Secret Service (the suite
// runs under scripts/with-keyring), and stderr that must stay empty on every normal path.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { request, runHelper, testHome, uniqueHost } from './support/helper-process.js';

beforeAll(() => {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) throw new Error('run the tests under scripts/with-keyring (npm test does)');
});

const env = testHome();
const helper = (action: string, pairs: Record<string, string>) => runHelper([action], request(pairs), env);

/** What the Secret Service itself holds for a service name, read with libsecret's own tool. */
function secretToolLookup(service: string, username: string): string | undefined {
  try {
    return execFileSync('secret-tool', ['lookup', 'service', service, 'username', username], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
}

async function quietly(action: string, pairs: Record<string, string>) {
  const result = await helper(action, pairs);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

describe('helper process against the real keychain', () => {
  it('get with nothing stored prints nothing and exits 0', async () => {
    expect(await quietly('get', { protocol: 'https', host: uniqueHost() })).toBe('');
  });

  it('store then get returns username and password, and the item is really in the Secret Service', async () => {
    const host = uniqueHost();
    await quietly('store', { protocol: 'https', host, username: 'alice', password: 'ghp_processStoreToken' });
    expect(await quietly('get', { protocol: 'https', host: host.toUpperCase() })).toBe('username=alice\npassword=ghp_processStoreToken\n');
    expect(secretToolLookup(`git-credential-pat:https://${host}`, 'alice')).toBe('ghp_processStoreToken');
  });

  it('never answers for another protocol, port or username', async () => {
    const host = uniqueHost();
    await quietly('store', { protocol: 'https', host, username: 'alice', password: 'p' });
    expect(await quietly('get', { protocol: 'http', host })).toBe('');
    expect(await quietly('get', { protocol: 'https', host: `${host}:8443` })).toBe('');
    expect(await quietly('get', { protocol: 'https', host, username: 'bob' })).toBe('');
    expect(await quietly('get', { protocol: 'https', host: `${host}.evil.example` })).toBe('');
  });

  it('a CR is data: host=<host>\\r does not match <host>', async () => {
    const host = uniqueHost();
    await quietly('store', { protocol: 'https', host, username: 'alice', password: 'p' });
    const result = await runHelper(['get'], `protocol=https\nhost=${host}\r\n`, env);
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('keeps several users apart; without a username answers with the most recently stored', async () => {
    const host = uniqueHost();
    await quietly('store', { protocol: 'https', host, username: 'alice', password: 'pa' });
    await quietly('store', { protocol: 'https', host, username: 'bob', password: 'pb' });
    expect(await quietly('get', { protocol: 'https', host, username: 'alice' })).toBe('username=alice\npassword=pa\n');
    expect(await quietly('get', { protocol: 'https', host })).toBe('username=bob\npassword=pb\n');
    await quietly('store', { protocol: 'https', host, username: 'alice', password: 'pa2' });
    expect(await quietly('get', { protocol: 'https', host })).toBe('username=alice\npassword=pa2\n');
    expect(await quietly('get', { protocol: 'https', host, username: 'bob' })).toBe('username=bob\npassword=pb\n');
  });

  it('store of an existing credential replaces its password', async () => {
    const host = uniqueHost();
    await quietly('store', { protocol: 'https', host, username: 'u', password: 'first' });
    await quietly('store', { protocol: 'https', host, username: 'u', password: 'second' });
    expect(await quietly('get', { protocol: 'https', host })).toBe('username=u\npassword=second\n');
  });

  it('an empty username and password round-trip as present and empty', async () => {
    const host = uniqueHost();
    await quietly('store', { protocol: 'https', host, username: '', password: '' });
    expect(await quietly('get', { protocol: 'https', host })).toBe('username=\npassword=\n');
  });

  it('paths: a path-specific credential serves only its path and wins over a host-wide one', async () => {
    const host = uniqueHost();
    await quietly('store', { protocol: 'https', host, path: 'org/a.git', username: 'u', password: 'for-a' });
    expect(await quietly('get', { protocol: 'https', host })).toBe('');
    expect(await quietly('get', { protocol: 'https', host, path: 'org/b.git' })).toBe('');
    await quietly('store', { protocol: 'https', host, username: 'u', password: 'wide' });
    expect(await quietly('get', { protocol: 'https', host, path: 'org/a.git' })).toBe('username=u\npassword=for-a\n');
    expect(await quietly('get', { protocol: 'https', host, path: 'org/b.git' })).toBe('username=u\npassword=wide\n');
  });

  it('returns password_expiry_utc and oauth_refresh_token stored with the password', async () => {
    const host = uniqueHost();
    await quietly('store', { protocol: 'https', host, username: 'u', password: 'p', password_expiry_utc: '4102444800', oauth_refresh_token: 'ghr_refresh' });
    expect(await quietly('get', { protocol: 'https', host })).toBe(
      'username=u\npassword=p\npassword_expiry_utc=4102444800\noauth_refresh_token=ghr_refresh\n',
    );
  });

  it('erase: wildcards, password guard, every path, silent when nothing matches', async () => {
    const host = uniqueHost();
    await quietly('store', { protocol: 'https', host, username: 'alice', password: 'pa' });
    await quietly('store', { protocol: 'https', host, username: 'bob', password: 'pb' });
    await quietly('store', { protocol: 'https', host, path: 'org/r.git', username: 'carol', password: 'pc' });
    // An old failure does not throw away a newer token.
    await quietly('erase', { protocol: 'https', host, username: 'alice', password: 'stale' });
    expect(await quietly('get', { protocol: 'https', host, username: 'alice' })).toBe('username=alice\npassword=pa\n');
    // Neither host nor path: nothing is removed.
    await quietly('erase', { protocol: 'https' });
    expect(await quietly('get', { protocol: 'https', host, username: 'bob' })).toBe('username=bob\npassword=pb\n');
    // Protocol and host alone forget every user and every path.
    await quietly('erase', { protocol: 'https', host });
    expect(await quietly('get', { protocol: 'https', host })).toBe('');
    expect(await quietly('get', { protocol: 'https', host, path: 'org/r.git' })).toBe('');
    expect(secretToolLookup(`git-credential-pat:https://${host}/org/r.git`, 'carol')).toBeUndefined();
    await quietly('erase', { protocol: 'https', host });
  });

  it('ignores unknown and newer attributes', async () => {
    const host = uniqueHost();
    await quietly('store', { protocol: 'https', host, username: 'u', password: 'p', 'capability[]': 'authtype', ephemeral: 'false', future: 'x' });
    const input = `capability[]=authtype\ncapability[]=state\nprotocol=https\nhost=${host}\nwwwauth[]=Basic realm="GitHub"\nquit=0\nsomething_new=1\n`;
    const result = await runHelper(['get'], input, env);
    expect(result).toMatchObject({ code: 0, stdout: 'username=u\npassword=p\n', stderr: '' });
  });

  it.each([
    ['a line without =', (host: string) => `protocol=https\nhost=${host}\nusername=u\npassword=new\nbroken\n`],
    ['a NUL byte', (host: string) => `protocol=https\nhost=${host}\nusername=u\npassword=n\0ew\n`],
    ['more than 1 MiB', (host: string) => `protocol=https\nhost=${host}\nusername=u\npassword=${'x'.repeat(1024 * 1024)}\n`],
  ])('malformed input (%s): one-line error, non-zero exit, nothing stored changes', async (_label, make) => {
    const host = uniqueHost();
    await quietly('store', { protocol: 'https', host, username: 'u', password: 'kept' });
    for (const action of ['store', 'erase', 'get']) {
      const result = await runHelper([action], make(host), env);
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^git-credential-pat: invalid input from git: [^\n]+\n$/);
    }
    expect(await quietly('get', { protocol: 'https', host })).toBe('username=u\npassword=kept\n');
  });

  it('an unknown action is ignored silently with exit 0', async () => {
    const host = uniqueHost();
    const result = await runHelper(['capability'], request({ protocol: 'https', host }), env);
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('keeps its index file private (0600 in a 0700 directory)', async () => {
    await quietly('store', { protocol: 'https', host: uniqueHost(), username: 'u', password: 'p' });
    const dir = join(env.XDG_STATE_HOME!, 'git-credential-pat');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'index.json')).mode & 0o777).toBe(0o600);
  });
});
