// GitHub knowledge that needs no network: token kinds, API URLs, expiry, scopes.
import { describe, expect, it } from 'vitest';
import { daysLeft, describeExpiry } from '../src/expiry.js';
import { ApiUrlError, checkedApiUrl } from '../src/hosts/api-url.js';
import { githubApiBase } from '../src/hosts/github/api-url.js';
import { parseTokenExpiration } from '../src/hosts/github/expiration.js';
import { github } from '../src/hosts/github/index.js';
import { tokenKind } from '../src/hosts/github/token-kind.js';
import { parseScopes } from '../src/hosts/github/validate.js';
import { HostNameError, parseHostArgument } from '../src/hosts/host-name.js';
import { describeScopes } from '../src/presentation.js';

const scopeWarnings = github.scopeWarnings;
const tokenCreationUrl = (host: string, machine: string) => github.tokenPage(host, machine)?.url;

describe('tokenKind', () => {
  it.each([
    ['ghp_abc', 'classic'],
    ['github_pat_11ABC_xyz', 'fine-grained'],
    ['gho_abc', 'oauth'],
    ['ghu_abc', 'user-to-server'],
    ['ghs_abc', 'installation'],
    ['ghr_abc', 'refresh'],
    ['glpat-abc', 'unknown'],
    ['', 'unknown'],
  ])('%s is %s', (token, kind) => expect(tokenKind(token)).toBe(kind));
});

describe('API roots', () => {
  it('knows github.com, GHE.com data residency and Enterprise Server', () => {
    expect(githubApiBase('github.com')).toBe('https://api.github.com');
    expect(githubApiBase('GitHub.com')).toBe('https://api.github.com');
    expect(githubApiBase('octo.ghe.com')).toBe('https://api.octo.ghe.com');
    expect(githubApiBase('ghe.example.com:8443')).toBe('https://ghe.example.com:8443/api/v3');
  });

  it('takes a configured root: https anywhere, plain http only on loopback', () => {
    expect(checkedApiUrl('https://proxy.example/api/')).toBe('https://proxy.example/api');
    expect(checkedApiUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(checkedApiUrl('http://[::1]:8080/api/v3')).toBe('http://[::1]:8080/api/v3');
    expect(checkedApiUrl('http://localhost:1')).toBe('http://localhost:1');
    expect(() => checkedApiUrl('http://api.github.com')).toThrowError(ApiUrlError);
    expect(() => checkedApiUrl('http://127.0.0.1.evil.example')).toThrowError(ApiUrlError);
    expect(() => checkedApiUrl('ftp://127.0.0.1')).toThrowError(ApiUrlError);
    expect(() => checkedApiUrl('https://user:pw@proxy.example')).toThrowError(ApiUrlError);
    expect(() => checkedApiUrl('not a url')).toThrowError(ApiUrlError);
  });
});

describe('parseHostArgument', () => {
  it('takes host[:port] and nothing else', () => {
    expect(parseHostArgument('GitHub.com')).toBe('github.com');
    expect(parseHostArgument('127.0.0.1:8443')).toBe('127.0.0.1:8443');
    for (const bad of ['https://github.com', 'github.com/org', 'user@github.com', 'git hub.com', '', '.github.com', 'github.com:']) {
      expect(() => parseHostArgument(bad)).toThrowError(HostNameError);
    }
  });
});

describe('parseTokenExpiration', () => {
  it('reads both forms GitHub sends', () => {
    expect(parseTokenExpiration('2026-10-07 19:07:53 UTC')).toBe(Date.UTC(2026, 9, 7, 19, 7, 53) / 1000);
    expect(parseTokenExpiration('2026-10-07 19:07:53 -0700')).toBe(Date.UTC(2026, 9, 8, 2, 7, 53) / 1000);
    expect(parseTokenExpiration('2026-10-07 19:07:53 +0530')).toBe(Date.UTC(2026, 9, 7, 13, 37, 53) / 1000);
  });

  it('ignores an absent or malformed header', () => {
    expect(parseTokenExpiration(undefined)).toBeUndefined();
    expect(parseTokenExpiration('soon')).toBeUndefined();
    expect(parseTokenExpiration('2026-10-07T19:07:53Z')).toBeUndefined();
  });

  it('counts whole days left', () => {
    const now = Date.UTC(2026, 9, 1);
    expect(daysLeft(now / 1000 + 3 * 86400 + 5, now)).toBe(3);
    expect(daysLeft(now / 1000 + 100, now)).toBe(0);
  });
});

describe('scopes', () => {
  it('reads X-OAuth-Scopes; no header means fine-grained', () => {
    expect(parseScopes('repo, workflow, read:org')).toEqual(['repo', 'workflow', 'read:org']);
    expect(parseScopes('')).toEqual([]);
    expect(parseScopes(undefined)).toBeNull();
    expect(describeScopes(null, github)).toBe('fine-grained (permissions not listable)');
    expect(describeScopes(['repo', 'workflow'], github)).toBe('repo, workflow');
  });

  it('warns a classic token without repo or workflow, and nothing else', () => {
    expect(scopeWarnings('ghp_x', ['repo', 'workflow'])).toEqual([]);
    expect(scopeWarnings('ghp_x', ['repo'])).toEqual(["the token lacks the 'workflow' scope: pushing changes to .github/workflows will fail"]);
    expect(scopeWarnings('ghp_x', [])).toHaveLength(2);
    expect(scopeWarnings('github_pat_x', null)).toEqual([]);
  });
});

describe('token creation URL and expiry text', () => {
  it('prefills scopes and a description naming this machine', () => {
    expect(tokenCreationUrl('github.com', 'my laptop')).toBe(
      'https://github.com/settings/tokens/new?scopes=repo,workflow&description=git-credential-pat%20on%20my%20laptop',
    );
  });

  it('says when a token expires', () => {
    const now = Date.UTC(2026, 10, 25);
    expect(describeExpiry(undefined, now)).toBe('no expiry date');
    expect(describeExpiry(now / 1000 + 36 * 86400, now)).toBe('2026-12-31 (36 days left)');
    expect(describeExpiry(now / 1000 - 86400, now)).toBe('2026-11-24 (expired)');
  });
});
