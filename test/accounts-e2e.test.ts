// Two accounts on one host, as people with a work and a personal account have:
// `use` routes each owner's repositories to its own account through git's own
// credential.<url>.username, and git pushes to both without a prompt.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitClient, type GitClient } from './support/git-client.js';
import { startGitServer, type GitServer } from './support/git-server.js';
import { startFakeGitHubApi, type FakeGitHubApi } from './support/github-api.js';
import { runHelper } from './support/helper-process.js';
import { ownKeyring } from './support/private-keyring.js';

const ALICE = 'ghp_aliceWorkAccount0000000000000000000001';
const BOB = 'ghp_bobPersonalAccount00000000000000000002';

let server: GitServer;
let api: FakeGitHubApi;
let client: GitClient;
// list reads every item of ours in the keychain: this file's two accounts, and nothing else.
const keyring = ownKeyring();

beforeAll(async () => {
  server = await startGitServer({
    authorize: (user, pass, repo) =>
      (repo.startsWith('alice-org/') && user === 'alice' && pass === ALICE) || (repo.startsWith('bob-org/') && user === 'bob' && pass === BOB),
  });
  await server.createRepo('alice-org/app.git');
  await server.createRepo('bob-org/dotfiles.git');
  api = await startFakeGitHubApi({ [ALICE]: { login: 'alice', scopes: ['repo', 'workflow'] }, [BOB]: { login: 'bob', scopes: ['repo', 'workflow'] } });
  client = gitClient(server.caFile);
  Object.assign(client.env, keyring.env);
  client.env.GIT_CREDENTIAL_PAT_API_URL = api.url;
  expect((await client.git(['config', '--global', 'credential.helper', 'pat'])).code).toBe(0);
});

afterAll(async () => {
  await server?.close();
  await api?.close();
});

const tool = (args: string[], input = '') => runHelper(args, input, client.env);

async function cloneAndPush(repo: string) {
  const dir = join(client.root, repo.replace('/', '-'));
  const clone = await client.git(['clone', `${server.url}/${repo}`, dir]);
  expect(clone.code, clone.stderr).toBe(0);
  writeFileSync(join(dir, 'note.txt'), `pushed to ${repo}\n`);
  await client.git(['add', 'note.txt'], { cwd: dir });
  await client.git(['commit', '-m', 'note'], { cwd: dir });
  const push = await client.git(['push', 'origin', 'HEAD'], { cwd: dir });
  expect(push.code, push.stderr).toBe(0);
  for (const text of [clone.stderr, push.stderr]) {
    expect(text).not.toContain(ALICE);
    expect(text).not.toContain(BOB);
  }
}

describe('several accounts on one host', () => {
  it('login keeps both; use routes each owner to its account; git pushes to both without a prompt', async () => {
    expect((await tool(['login', '--host', server.host, '--with-token'], `${ALICE}\n`)).code).toBe(0);
    expect((await tool(['login', '--host', server.host, '--with-token'], `${BOB}\n`)).code).toBe(0);

    const useAlice = await tool(['use', 'alice', '--owner', 'alice-org', '--host', server.host]);
    expect(useAlice).toMatchObject({ code: 0, stderr: '', stdout: `git config --global credential.https://${server.host}/alice-org.username alice\n` });
    expect((await tool(['use', 'bob', '--owner', 'bob-org', '--host', server.host])).code).toBe(0);

    await cloneAndPush('alice-org/app.git');
    await cloneAndPush('bob-org/dotfiles.git');
    const used = server.authLog.filter((e) => e.ok);
    expect(used.some((e) => e.username === 'alice' && e.repoPath.startsWith('alice-org/'))).toBe(true);
    expect(used.some((e) => e.username === 'bob' && e.repoPath.startsWith('bob-org/'))).toBe(true);
    expect(server.authLog.filter((e) => !e.ok)).toEqual([]);
  });

  it('without a routing rule the most recently stored account answers; use without --owner sets the host default', async () => {
    const fill = async () => (await client.git(['credential', 'fill'], { input: `url=${server.url}/elsewhere/x.git\n\n` })).stdout;
    expect(await fill()).toContain('username=bob\n');
    expect((await tool(['use', 'alice', '--host', server.host])).code).toBe(0);
    expect(await fill()).toContain('username=alice\n');
    const listed = JSON.parse((await tool(['list', '--json'])).stdout) as Array<{ username: string; isDefault: boolean }>;
    expect(listed.map((c) => [c.username, c.isDefault])).toEqual([
      ['alice', true],
      ['bob', false],
    ]);
  });

  it('use refuses an account with no stored token', async () => {
    const result = await tool(['use', 'mallory', '--host', server.host]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^git-credential-pat use: no token is stored for mallory on \S+; add one first: git-credential-pat login --host \S+\n$/);
  });
});
