// The guide at git's prompt for a forge whose API cannot tell a token's expiry:
// Bitbucket. A real git clone on a pseudo-terminal, the local HTTPS git server, and a
// local API that answers like Bitbucket's. The guide asks for the account email its API
// needs and for the expiry date the forge showed, and get then hands it out with it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitbucketApi, type ForgeApi, type BitbucketToken } from './support/forge-apis.js';
import { gitClient } from './support/git-client.js';
import { startGitServer, type GitServer } from './support/git-server.js';
import { request, runHelper } from './support/helper-process.js';
import { runOnTerminal } from './support/pty.js';

const TOKEN = 'ATATT3xFfGF0guidedBitbucket000000000000000000000=ABCD5678';
const expires = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);

let server: GitServer;
let api: ForgeApi<BitbucketToken>;

beforeAll(async () => {
  server = await startGitServer({ authorize: (user, pass) => user === 'bb-guided' && pass === TOKEN });
  await server.createRepo('team/app.git');
  api = await startBitbucketApi({ [TOKEN]: { email: 'me@example.com', username: 'bb-guided' } });
});
afterAll(async () => {
  await server?.close();
  await api?.close();
});

describe('the guide for Bitbucket', () => {
  it('shows the Atlassian token page, asks the email and the expiry date, stores it, and the clone works', async () => {
    const client = gitClient(server.caFile);
    await client.git(['config', '--global', 'credential.helper', 'pat']);
    await client.git(['config', '--global', `credential.https://${server.host}.patApiUrl`, api.url]);
    await client.git(['config', '--global', `credential.https://${server.host}.patProvider`, 'bitbucket']);
    const env: NodeJS.ProcessEnv = { ...client.env, GIT_TERMINAL_PROMPT: undefined };
    await runHelper(['erase'], request({ protocol: 'https', host: server.host }), env);

    const result = await runOnTerminal(
      ['git', 'clone', `${server.url}/team/app.git`, join(client.root, 'app')],
      [
        { when: 'Paste the token', send: `${TOKEN}\r` },
        { when: 'account email', send: 'me@example.com\r' },
        { when: 'expiry date', send: `${expires}\r` },
      ],
      env,
    );
    expect(result.code, result.screen).toBe(0);
    expect(result.screen).toContain('https://id.atlassian.com/manage-profile/security/api-tokens');
    expect(result.screen).not.toContain(TOKEN);
    const got = await runHelper(['get'], request({ protocol: 'https', host: server.host }), env);
    expect(got.stdout).toBe(`username=bb-guided\npassword=${TOKEN}\npassword_expiry_utc=${Date.parse(`${expires}T00:00:00Z`) / 1000}\n`);
    await runHelper(['erase'], request({ protocol: 'https', host: server.host }), env);
  });
});
