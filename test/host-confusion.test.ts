// A token stored for github.com goes to github.com and nowhere else, however the
// request is dressed up. The same list runs against the logic and the real program.
import { describe, expect, it } from 'vitest';
import { queryOf } from '../src/credential.js';
import { get } from '../src/helper.js';
import { parseAttributes, parseCredentialUrl, ProtocolError } from '../src/protocol.js';
import { memoryStore } from '../src/store/memory.js';
import { runHelper, testHome } from './support/helper-process.js';

const TOKEN = 'ghp_onlyForGitHubDotCom0000000000000000001';

const confusions: Array<[string, string]> = [
  ['a suffix domain', 'protocol=https\nhost=github.com.evil.example\n'],
  ['a path that names github.com', 'protocol=https\nhost=evil.example\npath=github.com\n'],
  ['another port', 'protocol=https\nhost=github.com:444\n'],
  ['a trailing dot, upper case', 'protocol=https\nhost=GITHUB.COM.\n'],
  ['userinfo trickery in host', 'protocol=https\nhost=github.com@evil.example\n'],
  ['an xn-- look-alike', 'protocol=https\nhost=xn--gthub-n4a.com\n'],
  ['a Unicode look-alike', 'protocol=https\nhost=gıthub.com\n'],
  ['http instead of https', 'protocol=http\nhost=github.com\n'],
  ['a url= for another host', 'url=https://evil.example/org/repo.git\n'],
  ['a url= with github.com as the user part', 'url=https://github.com@evil.example/\n'],
  ['url= then a disagreeing host=', 'url=https://evil.example/\nhost=github.com\n'],
  ['url= then a disagreeing protocol=', 'url=https://github.com/\nprotocol=http\n'],
  ['host= then a url= for another host (url= resets, as in git)', 'protocol=https\nhost=github.com\nurl=https://evil.example/\n'],
  ['a CR-suffixed host', 'protocol=https\nhost=github.com\r\n'],
  // git's credential_from_url: the host ends at the first '/', '?' or '#', and an '@' after that is path.
  ['url= with user-info past a ?', 'url=https://evil.example?@github.com/\n'],
  ['url= with user-info past a #', 'url=https://evil.example#@github.com\n'],
  ['url= with user-info past a ? and a password', 'url=https://evil.example?x:y@github.com/org/repo.git\n'],
  // git reads these as host 'octocat:x' (and 'confusion-test:x'), path '?@github.com'.
  ['url= naming the stored user before a ?', 'url=https://octocat:x?@github.com/\n'],
  ['url= naming the stored user before a #', 'url=https://confusion-test:x#@github.com\n'],
  ['url= with a decoded LF in the host', 'url=https://github.com%0a/\n'],
  ['url= with a decoded CR in the host', 'url=https://github.com%0d/\n'],
  ['a second host line', 'protocol=https\nhost=github.com\nhost=evil.example\n'],
];

async function seeded() {
  const store = memoryStore();
  await store.write({ protocol: 'https', host: 'github.com' }, 'octocat', { password: TOKEN });
  return store;
}

describe('host and URL confusion (logic)', () => {
  it.each(confusions)('%s: no token', async (_label, input) => {
    const store = await seeded();
    let query;
    try {
      query = queryOf(parseAttributes(Buffer.from(input)));
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
      return;
    }
    if (!query) return;
    expect((await get(store, query)).answer).toBeUndefined();
  });

  it('the honest forms still work: upper case host, url=, url= then username=', async () => {
    const store = await seeded();
    for (const input of ['protocol=https\nhost=GitHub.com\n', 'url=https://github.com/org/repo.git\n', 'url=https://github.com\nusername=octocat\n', 'url=https://octocat@github.com/\n']) {
      const query = queryOf(parseAttributes(Buffer.from(input)));
      expect((await get(store, query!)).answer?.secret.password, input).toBe(TOKEN);
    }
  });
});

describe('host names fold ASCII case only', () => {
  it('U+212A KELVIN SIGN is not k, U+0130 is not i: no token for the look-alike', async () => {
    const store = memoryStore();
    await store.write({ protocol: 'https', host: 'k8s.example' }, 'kube', { password: TOKEN });
    await store.write({ protocol: 'https', host: 'git.internal' }, 'dev', { password: TOKEN });
    for (const host of ['\u212A8s.example', 'git.\u0130nternal', 'K8S.EXAMPLE\u212A']) {
      const query = queryOf(parseAttributes(Buffer.from(`protocol=https\nhost=${host}\n`)));
      expect((await get(store, query!)).answer, host).toBeUndefined();
    }
    expect((await get(store, queryOf(parseAttributes(Buffer.from('protocol=HTTPS\nhost=K8S.Example\n')))!)).answer?.secret.password).toBe(TOKEN);
  });

  it('the real program: the Kelvin-sign host gets nothing', async () => {
    const env = testHome();
    expect((await runHelper(['store'], `protocol=https\nhost=k8s.example\nusername=kube\npassword=${TOKEN}\n`, env)).code).toBe(0);
    const result = await runHelper(['get'], 'protocol=https\nhost=\u212A8s.example\n', env);
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await runHelper(['get'], 'protocol=https\nhost=K8s.example\n', env)).stdout).toContain(TOKEN);
    await runHelper(['erase'], 'protocol=https\nhost=k8s.example\n', env);
  });
});

describe('url= follows git', () => {
  it('refuses a decoded control character in any part, where git refuses only LF', () => {
    for (const url of ['https://github.com%0a/', 'https://gith%0dub.com/', 'https://u%1b@github.com/', 'https://github.com/org%00%7f/r', 'https://u:p%09@h/']) {
      expect(() => parseCredentialUrl(url), url).toThrowError(ProtocolError);
    }
  });

  it('keeps what git keeps: the part before a colon undecoded, %00 and broken escapes as they are, + as +', () => {
    expect(parseCredentialUrl('https://h%41:1%41/p%41:x%41')).toEqual({ protocol: 'https', host: 'h%41:1A', path: 'p%41:xA' });
    expect(parseCredentialUrl('https://u%zz%4@h/a%00b+c')).toEqual({ protocol: 'https', username: 'u%zz%4', host: 'h', path: 'a%00b+c' });
    expect(parseCredentialUrl('HTTPS://evil.example?@github.com')).toEqual({ protocol: 'HTTPS', host: 'evil.example', path: '?@github.com' });
  });

  it('splits scheme, user, password, host with port and path, percent-decoded, trailing slashes dropped', () => {
    expect(parseCredentialUrl('https://me%40corp:p%3Ass@GHE.example:8443/org/repo.git/')).toEqual({
      protocol: 'https',
      username: 'me@corp',
      password: 'p:ss',
      host: 'GHE.example:8443',
      path: 'org/repo.git',
    });
    expect(parseCredentialUrl('https://github.com')).toEqual({ protocol: 'https', host: 'github.com' });
    expect(() => parseCredentialUrl('github.com/org')).toThrowError(ProtocolError);
  });

  it('clears what came before it and lets later lines add to it', () => {
    const a = parseAttributes(Buffer.from('protocol=http\nhost=old.example\nusername=old\nurl=https://github.com/x\nusername=new\n'));
    expect(Object.fromEntries(a)).toEqual({ protocol: 'https', host: 'github.com', path: 'x', username: 'new' });
  });
});

describe('host and URL confusion (the real program)', () => {
  it('answers none of the confusions, and still answers github.com', async () => {
    const env = testHome();
    const store = await runHelper(['store'], `protocol=https\nhost=github.com\nusername=confusion-test\npassword=${TOKEN}\n`, env);
    expect(store.code).toBe(0);
    for (const [label, input] of confusions) {
      const result = await runHelper(['get'], input, env);
      expect(result.stdout, label).not.toContain(TOKEN);
      expect(result.stderr, label).not.toContain(TOKEN);
    }
    expect((await runHelper(['get'], 'url=https://github.com/org/repo.git\nusername=confusion-test\n', env)).stdout).toContain(TOKEN);
    await runHelper(['erase'], 'protocol=https\nhost=github.com\nusername=confusion-test\n', env);
  }, 120_000);
});
