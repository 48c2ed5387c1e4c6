// The real program against random and adversarial input: every run ends in bounded
// time with exit 0 and well-formed output, or one line on stderr; never a stack
// trace; and the keychain changes only for a valid store or erase.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { request, runHelper, testHome, uniqueHost, type RunResult } from './support/helper-process.js';
import { privateKeyring } from './support/private-keyring.js';

const env = testHome();
const HOST = uniqueHost('victim');
const SECRET = 'ghp_mustSurviveEverything000000000000001';
const ANSWER = `username=owner\npassword=${SECRET}\n`;

/** Process runs per random property; bounded for CI (each is a whole Node process). */
const PROCESS_RUNS = 25;

function expectWellBehaved(result: RunResult) {
  expect(result.code).not.toBeNull(); // not killed by our timeout
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  if (result.code === 0) {
    // Well-formed answer: key=value lines only.
    expect(result.stdout).toMatch(/^([a-z_]+=[^\n]*\n)*$/);
  } else {
    expect(result.stderr).toMatch(/^git-credential-pat[^\n]*\n(\n?[^\n]*\n)*$/);
    expect(result.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(25);
  }
}

beforeAll(async () => {
  await runHelper(['store'], request({ protocol: 'https', host: HOST, username: 'owner', password: SECRET }), env);
});

async function victimIntact() {
  expect((await runHelper(['get'], request({ protocol: 'https', host: HOST }), env)).stdout).toBe(ANSWER);
}

describe('hostile input to the real program', () => {
  // [label, input, is it a valid request for the victim's host?]
  const cases: Array<[string, string | Buffer, boolean]> = [
    ['NUL bytes', `protocol=https\nhost=${HOST}\0\n`, false],
    ['CRLF line endings', `protocol=https\r\nhost=${HOST}\r\n\r\n`, false],
    ['a key with no value', `protocol=https\nhost=${HOST}\nusername\n`, false],
    ['=value with no key', `=https\n=${HOST}\n`, false],
    ['10,000 attributes', `protocol=https\nhost=${HOST}\n${Array.from({ length: 10_000 }, (_, i) => `x${i}=${i}\n`).join('')}`, true],
    ['a 5 MiB value', `protocol=https\nhost=${HOST}\npassword=${'A'.repeat(5 * 1024 * 1024)}\n`, false],
    ['invalid UTF-8', Buffer.concat([Buffer.from(`protocol=https\nhost=${HOST}\nusername=`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('\n')]), false],
    ['no final newline', `protocol=https\nhost=${HOST}`, true],
    ['repeated attributes with different values', `protocol=https\nhost=${HOST}\nhost=evil.example\n`, false],
    ['host smuggled after a CR', `protocol=https\nhost=evil.example\rhost=${HOST}\n`, false],
    ['empty input', '', false],
    ['only a blank line', '\n', false],
  ];

  it.each(cases)('%s: bounded, well-formed, keychain intact', async (_label, input, valid) => {
    // A valid request may legitimately erase; the hostile ones must not.
    for (const action of valid ? ['get', 'store'] : ['get', 'store', 'erase']) {
      const result = await runHelper([action], input, env);
      expectWellBehaved(result);
      if (action === 'get') expect(result.stdout).toBe(valid ? ANSWER : '');
    }
    await victimIntact();
  });

  it('random bytes on stdin', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('get', 'store', 'erase'), fc.uint8Array({ maxLength: 300 }), async (action, bytes) => {
        expectWellBehaved(await runHelper([action], Buffer.from(bytes), env));
      }),
      { numRuns: PROCESS_RUNS },
    );
    await victimIntact();
  });

  it('random argv', async () => {
    const arg = fc.oneof(fc.constantFrom('get', 'store', 'erase', 'login', 'list', 'logout', 'status', 'use', 'setup', 'doctor', '--help', '--json', '--host', '--yes', '-x', '--', ''), fc.string({ maxLength: 12 }));
    // Commands that change things are given nothing valid to act on: no stdin, a bogus
    // API, and a keyring of their own with nothing in it. logout --yes removes every item
    // of ours in the keychain it is given, whichever index stored it: in the run's
    // keyring it would remove the victim and every other file's items too.
    const empty = await privateKeyring();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(arg, { maxLength: 4 }), async (argv) => {
          const result = await runHelper(argv, '', { ...testHome(), ...empty.env, GIT_CREDENTIAL_PAT_API_URL: 'http://127.0.0.1:1' });
          expect(result.code).not.toBeNull();
          expect(result.stderr).not.toMatch(/\n\s+at /);
          expect([0, 1, 2]).toContain(result.code);
        }),
        { numRuns: PROCESS_RUNS },
      );
    } finally {
      await empty.close();
    }
    await victimIntact();
  });
});
