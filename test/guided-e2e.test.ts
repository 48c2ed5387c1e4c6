// The first push without a stored token, as a person meets it: a real git on a real
// pseudo-terminal, the local HTTPS git server, and a local API that answers like GitHub.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitClient, type GitClient } from './support/git-client.js';
import { startGitServer, type GitServer } from './support/git-server.js';
import { startFakeGitHubApi, type FakeGitHubApi } from './support/github-api.js';
import { request, runHelper } from './support/helper-process.js';
import { runOnTerminal } from './support/pty.js';

const GOOD = 'ghp_typedAtGitsPrompt00000000000000000001';
const BAD = 'ghp_mistypedAtGitsPrompt000000000000000002';

let server: GitServer;
let api: FakeGitHubApi;

beforeAll(async () => {
  server = await startGitServer({ authorize: (user, pass) => user === 'alice' && pass === GOOD });
  await server.createRepo('alice/app.git');
  api = await startFakeGitHubApi({ [GOOD]: { login: 'alice', scopes: ['repo', 'workflow'] } });
});
afterAll(async () => {
  await server?.close();
  await api?.close();
});

/** A person's machine: helper wired, the test server configured as GitHub Enterprise (its API URL), git allowed to prompt. */
async function person(): Promise<{ client: GitClient; env: NodeJS.ProcessEnv }> {
  const client = gitClient(server.caFile);
  await client.git(['config', '--global', 'credential.helper', 'pat']);
  await client.git(['config', '--global', `credential.https://${server.host}.patApiUrl`, api.url]);
  const env: NodeJS.ProcessEnv = { ...client.env, GIT_TERMINAL_PROMPT: undefined };
  // The keychain is shared by the whole run: start with nothing stored for the server.
  await runHelper(['erase'], request({ protocol: 'https', host: server.host }), env);
  return { client, env };
}

const secretToolHas = (token: string) => {
  const out = execFileSync('secret-tool', ['search', '--all', 'service', `git-credential-pat:https://${server.host}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.includes(`secret = ${token}`);
};

describe('guided token creation at git\'s prompt', () => {
  it('git clone with nothing stored: the helper explains, takes the token hidden, stores it, and the clone works; the next push asks nothing', async () => {
    const { client, env } = await person();
    const dir = join(client.root, 'app');
    const first = await runOnTerminal(['git', 'clone', `${server.url}/alice/app.git`, dir], [{ when: 'Paste the token', send: `${GOOD}\r` }], env);
    expect(first.code, first.screen).toBe(0);
    expect(first.screen).toContain(`${server.host} needs a personal access token, not your password.`);
    expect(first.screen).toContain(`https://${server.host}/settings/tokens/new?scopes=repo,workflow&description=git-credential-pat%20on%20`);
    expect(first.screen).not.toContain(GOOD);
    expect(secretToolHas(GOOD)).toBe(true);

    writeFileSync(join(dir, 'x.txt'), 'x\n');
    await client.git(['add', 'x.txt'], { cwd: dir });
    await client.git(['commit', '-m', 'x'], { cwd: dir });
    const second = await runOnTerminal(['git', '-C', dir, 'push', 'origin', 'HEAD'], [], env);
    expect(second.code, second.screen).toBe(0);
    expect(second.screen).not.toContain('Paste the token');
  });

  it('with GIT_TERMINAL_PROMPT=0 nothing is asked and git fails as it would', async () => {
    const { client, env } = await person();
    const result = await runOnTerminal(['git', 'clone', `${server.url}/alice/app.git`, join(client.root, 'quiet')], [], { ...env, GIT_TERMINAL_PROMPT: '0' });
    expect(result.code).not.toBe(0);
    expect(result.screen).not.toContain('personal access token');
  });

  it('a rejected token gets one line and another try; the good one then works', async () => {
    const { client, env } = await person();
    const result = await runOnTerminal(
      ['git', 'clone', `${server.url}/alice/app.git`, join(client.root, 'retry')],
      [
        { when: 'Paste the token', send: `${BAD}\r` },
        // The next prompt, after the one line about the rejected token.
        { when: /Try again\.[\s\S]*Paste the token/, send: `${GOOD}\r` },
      ],
      env,
    );
    expect(result.code, result.screen).toBe(0);
    expect(result.screen).toContain('GitHub rejected the token (401 Bad credentials)');
    expect(result.screen).not.toContain(BAD);
  });

  it('Ctrl-C gives git nothing, and git goes on to its own prompt', async () => {
    const { client, env } = await person();
    const result = await runOnTerminal(
      ['git', 'clone', `${server.url}/alice/app.git`, join(client.root, 'cancel')],
      [
        { when: 'Paste the token', send: '\x03' },
        { when: 'Username for', send: '\x03' },
      ],
      env,
    );
    expect(result.code).not.toBe(0);
    expect(result.screen).toContain(`Username for 'https://${server.host}'`);
  });
});
