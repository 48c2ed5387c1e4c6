// rotate end to end as people get it: the packed tarball installed into a fresh prefix,
// found on PATH, logging in to a loopback GitLab, rotating, and the real git then
// getting the new token from the real Secret Service. (scripts/pack-check proves the
// package itself; this proves rotate through it, lightly.) dist/ is built before the
// suite runs (scripts/test), so packing skips prepack and leaves dist/ alone for the
// tests running beside this one.
import { execFile, execFileSync } from 'node:child_process';

import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGitLabApi, type GitLabApi } from './support/forge-apis.js';
import { gitClient } from './support/git-client.js';
import { testHome, uniqueHost } from './support/helper-process.js';
import { installPackedPackage } from './support/installed-package.js';
import { ownKeyring } from './support/private-keyring.js';

const OLD = 'glpat-installedRotate000001';
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

let api: GitLabApi;
let bin: string;
const keyring = ownKeyring();

beforeAll(async () => {
  bin = installPackedPackage('rotate');
  api = await startGitLabApi({ [OLD]: { username: 'packed', scopes: ['api'], expiresAt: isoDay(Date.now() + 3 * 86_400_000), createdAt: new Date(Date.now() - 27 * 86_400_000).toISOString() } });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

it('the installed git-credential-pat rotates a GitLab token, and git gets the new one', async () => {
  const client = gitClient('');
  const env: NodeJS.ProcessEnv = { ...client.env, ...testHome(), ...keyring.env, PATH: `${bin}:${process.env.PATH}` };
  Object.assign(client.env, env);
  // Asynchronously: the fake GitLab answers from this very process.
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}, input = '') =>
    new Promise<string>((resolve, reject) => {
      const child = execFile('git-credential-pat', args, { env: { ...env, ...extra }, timeout: 30_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${args[0]} failed: ${stderr}`)) : resolve(stdout),
      );
      child.stdin?.end(input);
    });
  expect(execFileSync('sh', ['-c', 'command -v git-credential-pat'], { env, encoding: 'utf8' }).trim()).toBe(join(bin, 'git-credential-pat'));
  await client.git(['config', '--global', 'credential.helper', 'pat']);
  const host = uniqueHost('gl-installed');
  await run(['login', '--host', host, '--provider', 'gitlab', '--with-token'], { GIT_CREDENTIAL_PAT_API_URL: api.url }, `${OLD}\n`);

  const [report] = JSON.parse(await run(['rotate', '--host', host, '--json'])) as Array<{ result: string; verified: boolean; expires: string }>;
  expect(report).toMatchObject({ result: 'rotated', verified: true, expires: isoDay(Date.now() + 30 * 86_400_000) });
  expect(api.tokens.get(OLD)!.dead).toBe('rotated');
  const fresh = [...api.tokens.keys()].find((t) => t !== OLD)!;

  const filled = await client.git(['credential', 'fill'], { input: `protocol=https\nhost=${host}\n\n` });
  expect(filled.stdout).toContain(`username=packed\npassword=${fresh}\n`);
  expect(await run(['rotate', '--help'])).toContain('A token copied to two machines cannot be rotated safely');
});
