// A token used as a username is refused, everywhere a credential can come in: git's
// store, login, import. Nothing reaches the keychain's attributes, the index or list,
// and no message repeats the token.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tokenShapeIn } from '../src/token-username.js';
import { request, runHelper, testHome, uniqueHost } from './support/helper-process.js';

beforeAll(() => {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) throw new Error('run the tests under scripts/with-keyring (npm test does)');
});

const TOKEN = 'ghp_usedAsTheUsername0000000000000000001';
const FINE_GRAINED = 'github_pat_11AAAAAAA0usedAsUsername_abcdefghijklmnopqrstuvwxyz012345';

function indexText(env: NodeJS.ProcessEnv): string {
  try {
    return readFileSync(join(env.XDG_STATE_HOME!, 'git-credential-pat', 'index.json'), 'utf8');
  } catch {
    return '';
  }
}

describe('a token used as a username', () => {
  it('knows the shapes, and not a name that merely starts like one', () => {
    expect(tokenShapeIn(TOKEN)).toBe('ghp_');
    expect(tokenShapeIn(`x${FINE_GRAINED}`)).toBe('github_pat_');
    for (const name of ['octocat', 'gho_st', 'ghost_writer', 'x-access-token', '']) expect(tokenShapeIn(name), name).toBeUndefined();
  });

  it("git's store of one is refused with one line that names only its prefix; nothing is kept anywhere", async () => {
    const env = testHome();
    const host = uniqueHost('tokuser');
    for (const username of [TOKEN, FINE_GRAINED]) {
      const stored = await runHelper(['store'], request({ protocol: 'https', host, username, password: 'x-oauth-basic' }), env);
      expect(stored.code).toBe(1);
      expect(stored.stderr).toMatch(/^git-credential-pat: the username is a token \((ghp_|github_pat_)\.\.\.\): not stored, [^\n]+ such as x-access-token\n$/);
      expect(stored.stderr).not.toContain(username);
      expect((await runHelper(['get'], request({ protocol: 'https', host }), env)).stdout).toBe('');
      expect(indexText(env)).not.toContain(username.slice(4));
    }
    const list = await runHelper(['list', '--json'], '', env);
    expect(list.stdout).not.toContain(TOKEN.slice(4));
    // The honest form still works.
    expect((await runHelper(['store'], request({ protocol: 'https', host, username: 'x-access-token', password: TOKEN }), env)).code).toBe(0);
    expect((await runHelper(['get'], request({ protocol: 'https', host }), env)).stdout).toBe(`username=x-access-token\npassword=${TOKEN}\n`);
    await runHelper(['erase'], request({ protocol: 'https', host }), env);
  }, 120_000);

  it('login --username with a token is refused, and import skips such a line, saying why without the token', async () => {
    const env: NodeJS.ProcessEnv = { ...testHome(), GIT_CREDENTIAL_PAT_API_URL: 'http://127.0.0.1:1' };
    const host = uniqueHost('tokuser');
    const login = await runHelper(['login', '--host', host, '--username', TOKEN, '--with-token', '--no-verify'], 'some-password\n', env);
    expect(login.code).toBe(1);
    expect(login.stderr).toContain('the username is a token (ghp_...)');
    expect(login.stderr + login.stdout).not.toContain(TOKEN);

    mkdirSync(env.HOME!, { recursive: true });
    writeFileSync(join(env.HOME!, '.git-credentials'), `https://${TOKEN}:x-oauth-basic@${host}\nhttps://me:pw@${host}\n`);
    const imported = await runHelper(['import', '--from', 'git-credentials', '--no-verify'], '', env);
    expect(imported.code).toBe(1);
    expect(imported.stderr).toContain(`not imported: a token (ghp_...) used as the username on https://${host}`);
    expect(imported.stdout).toContain(`imported https://${host} me (password)`);
    expect(imported.stderr + imported.stdout).not.toContain(TOKEN);
    expect(indexText(env)).not.toContain(TOKEN.slice(4));
    await runHelper(['erase'], request({ protocol: 'https', host }), env);
  }, 120_000);
});
