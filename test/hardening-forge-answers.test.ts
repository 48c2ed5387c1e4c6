// Issue 21, what a forge sends back and what is shown of stored text: a token stored
// as a username by an older version is redacted wherever a username is shown (4), an
// answer is not read past the size cap (8), and an account name with control
// characters is neither stored nor written to a terminal (9).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet } from '../src/hosts/http.js';
import { startFakeGitHubApi, type FakeGitHubApi } from './support/github-api.js';
import { request, runHelper, testHome, uniqueHost } from './support/helper-process.js';
import { ownKeyring } from './support/private-keyring.js';

const LEGACY = 'ghp_storedAsUsernameLegacy0000000000000001';
const GOOD = 'ghp_forgeAnswersGood00000000000000000000002';
const ESCAPING = 'ghp_forgeAnswersEscape000000000000000000003';
const EVIL_LOGIN = 'octo\x1b]0;pwned\x07\x1b[2J\ncat';
let api: FakeGitHubApi;

beforeAll(async () => {
  api = await startFakeGitHubApi({
    [LEGACY]: { login: 'octocat', scopes: ['repo'] },
    [GOOD]: { login: 'octocat', scopes: ['repo', 'workflow'] },
    [ESCAPING]: { login: EVIL_LOGIN, scopes: ['repo'] },
  });
});
afterAll(async () => {
  await api?.close();
});

const keyring = ownKeyring();
const home = (): NodeJS.ProcessEnv => ({ ...testHome(), ...keyring.env });
const git = (env: NodeJS.ProcessEnv, ...args: string[]) => execFileSync('git', args, { env: { ...process.env, ...env }, encoding: 'utf8' });

describe('an answer larger than the cap (item 8)', () => {
  it('is not read past the cap: the client stops and says so, well before its timeout', async () => {
    let sent = 0;
    let closed!: () => void;
    const gone = new Promise<void>((resolve) => (closed = resolve));
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      // An endless body: only the client can end this.
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', closed);
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/user`;
      const result = await apiGet(url, { header: 'authorization', scheme: 'token', secret: GOOD }, 8_000);
      expect(result).toEqual({ kind: 'unreachable', message: expect.stringContaining('larger than 1 MiB') });
      await gone;
      // The cap, plus what the sockets buffer: not the gigabytes the server would send.
      expect(sent).toBeLessThan(64 * 1024 * 1024);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 30_000);

  it('a declared Content-Length over the cap is refused before reading', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024 * 1024) });
      res.write('{"login":"x"');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/user`;
      expect(await apiGet(url, undefined, 8_000)).toEqual({ kind: 'unreachable', message: expect.stringContaining('larger than 1 MiB') });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 30_000);
});

