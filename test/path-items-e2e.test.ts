// Paths, with git's credential.useHttpPath=true: a host-wide token answers every
// repository, git's store after a success forks no per-repository copy (so rotating
// the host-wide token reaches every repository), and rejecting one repository
// without a password leaves the host's token alone. Real git, a real smart-HTTP
// server demanding Basic auth, the real Secret Service.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitClient, type GitClient } from './support/git-client.js';
import { startGitServer, type GitServer } from './support/git-server.js';

const OLD = 'ghp_pathRotationOld000000000000000000001';
const NEW = 'ghp_pathRotationNew000000000000000000002';

let server: GitServer;
let client: GitClient;
let accepted = OLD;

beforeAll(async () => {
  server = await startGitServer({ authorize: (user, pass) => user === 'carol' && pass === accepted });
  await server.createRepo('carol/one.git');
  await server.createRepo('carol/two.git');
  client = gitClient(server.caFile);
  for (const args of [
    ['config', '--global', 'credential.helper', 'pat'],
    ['config', '--global', 'credential.useHttpPath', 'true'],
  ]) {
    expect((await client.git(args)).code).toBe(0);
  }
});

afterAll(async () => {
  await server?.close();
});

/** Every service name the Secret Service holds for this server, read with libsecret's own tool. */
function servicesInKeychain(): string[] {
  // secret-tool prints the attributes on stderr.
  const { stdout, stderr } = spawnSync('secret-tool', ['search', '--all', 'username', 'carol'], { encoding: 'utf8' });
  const out = `${stdout}${stderr}`;
  return [...out.matchAll(/^attribute\.service = (.*)$/gm)].map((m) => m[1]!).filter((s) => s.includes(server.host)).sort();
}

async function hostWide(token: string) {
  // No path: the host-wide item, as `login` stores it.
  const input = `protocol=https\nhost=${server.host}\nusername=carol\npassword=${token}\n\n`;
  expect(await client.git(['credential', 'approve'], { input })).toMatchObject({ code: 0, stderr: '' });
}

describe('credential.useHttpPath with a host-wide token', () => {
  it('a clone answered by the host-wide item stores no per-repository copy', async () => {
    await hostWide(OLD);
    const clone = await client.git(['clone', `${server.url}/carol/one.git`, join(client.root, 'one')]);
    expect(clone.code, clone.stderr).toBe(0);
    expect(servicesInKeychain()).toEqual([`git-credential-pat:https://${server.host}`]);
  });

  it('after the host-wide token is rotated, the repository gets the new token at once', async () => {
    accepted = NEW;
    await hostWide(NEW);
    const fetch = await client.git(['fetch'], { cwd: join(client.root, 'one') });
    expect(fetch.code, fetch.stderr).toBe(0);
    expect(server.authLog.at(-1)).toMatchObject({ username: 'carol', ok: true });
    expect(servicesInKeychain()).toEqual([`git-credential-pat:https://${server.host}`]);
  });

  it('rejecting one repository without a password keeps the host-wide token; with the dead password, it goes', async () => {
    const reject = await client.git(['credential', 'reject'], { input: `url=${server.url}/carol/two.git\nusername=carol\n\n` });
    expect(reject).toMatchObject({ code: 0, stderr: '' });
    const fill = await client.git(['credential', 'fill'], { input: `url=${server.url}/carol/two.git\n\n` });
    expect(fill.stdout).toContain(`password=${NEW}\n`);

    const dead = await client.git(['credential', 'reject'], { input: `url=${server.url}/carol/two.git\nusername=carol\npassword=${NEW}\n\n` });
    expect(dead).toMatchObject({ code: 0, stderr: '' });
    expect(servicesInKeychain()).toEqual([]);
  });
});
