// The claim "git works with it": the real git binary, a real smart-HTTP server over
// HTTPS on 127.0.0.1 demanding Basic auth, the real Secret Service, and no prompt.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitClient, type GitClient } from './support/git-client.js';
import { startGitServer, type GitServer } from './support/git-server.js';

const OLD_TOKEN = 'ghp_e2eOldToken000000000000000000000000';
const NEW_TOKEN = 'ghp_e2eNewToken111111111111111111111111';

let server: GitServer;
let client: GitClient;
let accepted = OLD_TOKEN;

beforeAll(async () => {
  server = await startGitServer({ authorize: (user, pass, repo) => user === 'alice' && pass === accepted && repo.startsWith('alice/') });
  await server.createRepo('alice/project.git');
  client = gitClient(server.caFile);
  expect((await client.git(['config', '--global', 'credential.helper', 'pat'])).code).toBe(0);
});

afterAll(async () => {
  await server?.close();
});

async function approve(token: string) {
  const input = `protocol=https\nhost=${server.host}\nusername=alice\npassword=${token}\n\n`;
  const result = await client.git(['credential', 'approve'], { input });
  expect(result).toMatchObject({ code: 0, stderr: '' });
}

async function fill(): Promise<string> {
  const result = await client.git(['credential', 'fill'], { input: `url=${server.url}/alice/project.git\n\n` });
  return result.stdout;
}

function expectNoToken(...texts: string[]) {
  for (const text of texts) {
    expect(text).not.toContain(OLD_TOKEN);
    expect(text).not.toContain(NEW_TOKEN);
  }
}

describe('git with git-credential-pat', () => {
  const work = () => join(client.root, 'project');

  it('git credential approve and fill go through the helper, into the Secret Service', async () => {
    await approve(OLD_TOKEN);
    expect(await fill()).toBe(`protocol=https\nhost=${server.host}\nusername=alice\npassword=${OLD_TOKEN}\n`);
    // The item is really in the Secret Service, under our own namespace.
    const found = execFileSync('secret-tool', ['lookup', 'service', `git-credential-pat:https://${server.host}`, 'username', 'alice'], { encoding: 'utf8' });
    expect(found).toBe(OLD_TOKEN);
  });

  it('clone, push and pull succeed using only the keychain, with no prompt', async () => {
    const clone = await client.git(['clone', `${server.url}/alice/project.git`, work()]);
    expect(clone.code, clone.stderr).toBe(0);
    writeFileSync(join(work(), 'change.txt'), 'first change\n');
    await client.git(['add', 'change.txt'], { cwd: work() });
    await client.git(['commit', '-m', 'first change'], { cwd: work() });
    const push = await client.git(['push', 'origin', 'HEAD'], { cwd: work() });
    expect(push.code, push.stderr).toBe(0);
    const pull = await client.git(['pull', '--ff-only'], { cwd: work() });
    expect(pull.code, pull.stderr).toBe(0);
    expect(server.authLog.filter((e) => e.ok).length).toBeGreaterThan(0);
    expect(server.authLog.every((e) => e.username === 'alice')).toBe(true);
    expectNoToken(clone.stderr, push.stderr, pull.stdout, pull.stderr);
  });

  it('a rotated token makes the push fail and the helper erases the rejected token; storing the new one fixes it', async () => {
    accepted = NEW_TOKEN;
    writeFileSync(join(work(), 'change.txt'), 'second change\n');
    await client.git(['commit', '-am', 'second change'], { cwd: work() });
    const failed = await client.git(['push', 'origin', 'HEAD'], { cwd: work() });
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/Authentication failed|could not read Username/);
    expectNoToken(failed.stderr);
    // git sent erase with the rejected password; the keychain no longer has it.
    expect(await fill()).toBe('');

    await approve(NEW_TOKEN);
    const push = await client.git(['push', 'origin', 'HEAD'], { cwd: work() });
    expect(push.code, push.stderr).toBe(0);
    expect(await fill()).toContain(`password=${NEW_TOKEN}\n`);

    const reject = await client.git(['credential', 'reject'], { input: `url=${server.url}/alice/project.git\nusername=alice\npassword=${NEW_TOKEN}\n\n` });
    expect(reject).toMatchObject({ code: 0, stderr: '' });
    expect(await fill()).toBe('');
  });
});
