// What git passes through, we pass through: bytes that are not UTF-8 are matched
// byte for byte (as git's own helpers do), and a server's long WWW-Authenticate
// challenge does not make us refuse the request. Real git, real helper process,
// real Secret Service.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HELPER, request, runHelper, testHome, uniqueHost } from './support/helper-process.js';

beforeAll(() => {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) throw new Error('run the tests under scripts/with-keyring (npm test does)');
});

const env = testHome();

/** `git credential <action>` with our helper as the only one, bytes in and out. */
function gitCredential(action: string, input: Buffer, config: string[] = []): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), 'gcp-bytes-'));
  return new Promise((resolve) => {
    const child = execFile(
      'git',
      ['-c', 'credential.helper=', '-c', `credential.helper=!"${process.execPath}" "${HELPER}"`, ...config.flatMap((c) => ['-c', c]), 'credential', action],
      { env: { ...process.env, ...env, HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' }, encoding: 'buffer' },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr: stderr.toString() }),
    );
    child.stdin?.end(input);
  });
}

const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('bytes that are not UTF-8', () => {
  it('a username git decodes from %ff is stored, found again byte for byte, and matches nothing else', async () => {
    const host = uniqueHost('bytes');
    const approve = await gitCredential('approve', bytes(`url=https://%ff@${host}/\npassword=secret-for-ff\n\n`));
    expect(approve).toMatchObject({ code: 0, stderr: '' });
    const fill = await gitCredential('fill', bytes(`url=https://%ff@${host}/\n\n`));
    expect(fill.stderr).toBe('');
    expect(fill.stdout).toEqual(bytes(`protocol=https\nhost=${host}\nusername=`, [0xff], '\npassword=secret-for-ff\n'));
    // ÿ in UTF-8 (c3 bf), the replacement character and the Latin-1 reading are other users.
    for (const other of ['%c3%bf', '%ef%bf%bd', 'y']) {
      const miss = await runHelper(['get'], bytes(`url=https://${other}@${host}/\n`), env);
      expect(miss, other).toMatchObject({ code: 0, stdout: '', stderr: '' });
    }
    // Without a username, the helper answers with the exact bytes.
    const raw = await gitCredential('fill', bytes(`protocol=https\nhost=${host}\n\n`));
    expect(raw.stdout).toEqual(bytes(`protocol=https\nhost=${host}\nusername=`, [0xff], '\npassword=secret-for-ff\n'));
    const reject = await gitCredential('reject', bytes(`url=https://%ff@${host}/\n\n`));
    expect(reject).toMatchObject({ code: 0, stderr: '' });
    expect((await runHelper(['get'], `protocol=https\nhost=${host}\n`, env)).stdout).toBe('');
  });

  it('a path with such a byte (credential.useHttpPath) keys its own item, apart from the UTF-8 look-alike', async () => {
    const host = uniqueHost('bytes');
    const config = ['credential.useHttpPath=true'];
    expect(await gitCredential('approve', bytes(`url=https://u@${host}/org/r%e9po.git\npassword=latin1-path\n\n`), config)).toMatchObject({ code: 0, stderr: '' });
    const hit = await gitCredential('fill', bytes(`url=https://u@${host}/org/r%e9po.git\n\n`), config);
    expect(hit.stdout).toEqual(bytes(`protocol=https\nhost=${host}\npath=org/r`, [0xe9], 'po.git\nusername=u\npassword=latin1-path\n'));
    const utf8 = await runHelper(['get'], `protocol=https\nhost=${host}\npath=org/répo.git\nusername=u\n`, env);
    expect(utf8).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('a password and refresh token with such bytes come back exactly, whatever else the item holds', async () => {
    const host = uniqueHost('bytes');
    const store = bytes(`protocol=https\nhost=${host}\nusername=u\npassword=p`, [0xff, 0xfe], 'x\npassword_expiry_utc=4102444800\noauth_refresh_token=r', [0xc3], '\n');
    expect(await runHelper(['store'], store, env)).toMatchObject({ code: 0, stderr: '' });
    const fill = await gitCredential('fill', bytes(`protocol=https\nhost=${host}\n\n`));
    expect(fill.stdout).toEqual(bytes(`protocol=https\nhost=${host}\nusername=u\npassword=p`, [0xff, 0xfe], 'x\n'));
    const got = await runHelper(['get'], `protocol=https\nhost=${host}\n`, env);
    expect(got.stdout).toContain('password_expiry_utc=4102444800\noauth_refresh_token=r');
    // Stored again unchanged: no rewrite, and erase with that exact password removes it.
    expect(await runHelper(['erase'], bytes(`protocol=https\nhost=${host}\npassword=p`, [0xff, 0xfe], 'x\n'), env)).toMatchObject({ code: 0, stderr: '' });
    expect((await runHelper(['get'], `protocol=https\nhost=${host}\n`, env)).stdout).toBe('');
  });
});

describe("a server's long challenge", () => {
  it('a get carrying wwwauth[] values of several MiB is answered, and the values are not held', async () => {
    const host = uniqueHost('wwwauth');
    expect((await runHelper(['store'], request({ protocol: 'https', host, username: 'u', password: 'long-challenge' }), env)).code).toBe(0);
    const challenge = `Bearer realm="x", scope="${'repo:pull '.repeat(200_000)}"`; // 2 MB
    const input = `capability[]=authtype\nprotocol=https\nhost=${host}\nwwwauth[]=Basic realm="x"\nwwwauth[]=${challenge}\nwwwauth[]=${challenge}\n\n`;
    const result = await runHelper(['get'], input, env);
    expect(result).toMatchObject({ code: 0, stdout: 'username=u\npassword=long-challenge\n', stderr: '' });
  });

  it('what we do use is still capped: a password over 1 MiB is refused and nothing changes', async () => {
    const host = uniqueHost('wwwauth');
    await runHelper(['store'], request({ protocol: 'https', host, username: 'u', password: 'kept' }), env);
    const result = await runHelper(['store'], `protocol=https\nhost=${host}\nusername=u\npassword=${'x'.repeat(1024 * 1024)}\n`, env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^git-credential-pat: invalid input from git: request larger than/);
    expect((await runHelper(['get'], request({ protocol: 'https', host }), env)).stdout).toBe('username=u\npassword=kept\n');
  });
});
