// login at a real terminal: the token-creation URL, a hidden prompt, Ctrl-C.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHubApi, type FakeGitHubApi } from './support/github-api.js';
import { HELPER, request, runHelper, testHome, uniqueHost } from './support/helper-process.js';
import { runOnTerminal } from './support/pty.js';

const TOKEN = 'ghp_typedAtTheTerminal000000000000000000001';
let api: FakeGitHubApi;

beforeAll(async () => {
  api = await startFakeGitHubApi({ [TOKEN]: { login: 'typist', scopes: ['repo', 'workflow'] } });
});
afterAll(async () => {
  await api?.close();
});

describe('login on a terminal', () => {
  it('shows where to create a token, reads it without echo, validates and stores it', async () => {
    const env = { ...testHome(), GIT_CREDENTIAL_PAT_API_URL: api.url };
    const host = uniqueHost('tty');
    const { code, screen } = await runOnTerminal(
      [process.execPath, HELPER, 'login', '--host', host],
      [
        { when: 'Paste the token', send: `${TOKEN}\r` },
        // No git config here: login offers to wire git for the host; declined, nothing is written.
        { when: 'Run it now', send: 'n\r' },
      ],
      env,
    );
    expect(code).toBe(0);
    expect(screen).toContain(`Fix: git-credential-pat setup --host ${host}`);
    expect(screen).toContain(`${host} needs a personal access token, not your password.`);
    expect(screen).toContain('Create one on GitHub (scopes repo and workflow are filled in; pick an expiry date):');
    expect(screen).toMatch(new RegExp(`https://${host.replace(/\./g, '\\.')}/settings/tokens/new\\?scopes=repo,workflow&description=git-credential-pat%20on%20`));
    expect(screen).toContain(`Logged in to ${host} (GitHub) as typist.`);
    expect(screen).not.toContain(TOKEN);
    expect((await runHelper(['get'], request({ protocol: 'https', host }), env)).stdout).toBe(`username=typist\npassword=${TOKEN}\n`);
  });

  it('Ctrl-C at the prompt stores nothing', async () => {
    const env = { ...testHome(), GIT_CREDENTIAL_PAT_API_URL: api.url };
    const host = uniqueHost('tty');
    const { code, screen } = await runOnTerminal([process.execPath, HELPER, 'login', '--host', host], [{ when: 'Paste the token', send: '\x03' }], env);
    expect(code).toBe(1);
    expect(screen).toContain('no token entered; nothing was stored');
    expect((await runHelper(['get'], request({ protocol: 'https', host }), env)).stdout).toBe('');
  });
});

describe('logout on a terminal', () => {
  it('asks before removing more than one, and removes nothing on no', async () => {
    const env = { ...testHome(), GIT_CREDENTIAL_PAT_API_URL: api.url };
    const host = uniqueHost('tty');
    for (const user of ['one', 'two']) {
      await runHelper(['store'], request({ protocol: 'https', host, username: user, password: `pw-${user}` }), env);
    }
    const declined = await runOnTerminal([process.execPath, HELPER, 'logout', '--host', host], [{ when: 'Remove them?', send: 'n\r' }], env);
    expect(declined.code).toBe(1);
    expect(declined.screen).toContain('This removes 2 credentials:');
    expect(declined.screen).toContain('nothing was removed');
    expect((await runHelper(['get'], request({ protocol: 'https', host, username: 'one' }), env)).stdout).toContain('pw-one');

    const accepted = await runOnTerminal([process.execPath, HELPER, 'logout', '--host', host], [{ when: 'Remove them?', send: 'y\r' }], env);
    expect(accepted.code).toBe(0);
    expect((await runHelper(['get'], request({ protocol: 'https', host }), env)).stdout).toBe('');
  });
});
