// One table of settings (src/settings.ts): every git config key and environment
// variable the code reads is in it, and the man page's CONFIGURATION and ENVIRONMENT
// sections are that table, so none of them can be added in code and left unsaid.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { manPage } from '../src/cli-man.js';
import { CONFIG_KEYS, ENVIRONMENT, listedNames } from '../src/settings.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|cjs)$/.test(name) ? [path] : [];
  });
}

const code = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'bin'))]
  .filter((file) => !file.endsWith('settings.ts'))
  .map((file) => ({ file, text: readFileSync(file, 'utf8') }));

/** Environment variables the code reads: env.NAME, env['NAME'], and the names of ours spelled as strings. */
function envNamesRead(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\benv(?:\?)?\.([A-Z][A-Z0-9_]+)\b/g)) names.add(m[1]!);
  for (const m of text.matchAll(/\benv\[\s*['"`]([A-Z][A-Z0-9_]+)['"`]\s*\]/g)) names.add(m[1]!);
  for (const m of text.matchAll(/['"`]((?:GIT_CREDENTIAL_PAT|GH|GITHUB|GITLAB|GITEA|CI_JOB)_[A-Z0-9_]*)['"`]/g)) names.add(m[1]!);
  return [...names];
}

/** Our own git config keys as the code spells them: credential.patX, or a per-URL 'patX'. */
function configNamesRead(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\bcredential\.(pat[A-Z][A-Za-z]*)\b/g)) names.add(`credential.${m[1]}`);
  for (const m of text.matchAll(/['"`](pat[A-Z][A-Za-z]*)['"`]/g)) names.add(m[1]!);
  for (const m of text.matchAll(/getUrlmatch(?:Bool)?\(\s*['"`](credential\.[A-Za-z]+)['"`]/g)) names.add(m[1]!);
  return [...names];
}

describe('the settings table', () => {
  it('lists every environment variable src/ and bin/ read', () => {
    const listed = new Set(listedNames(ENVIRONMENT));
    const missing = code.flatMap(({ file, text }) => envNamesRead(text).filter((n) => !listed.has(n)).map((n) => `${n} (${file.slice(ROOT.length)})`));
    expect(missing).toEqual([]);
  });

  it('lists every git config key of ours that src/ reads, and git keys read by name', () => {
    const listed = listedNames(CONFIG_KEYS);
    const covered = (name: string) => listed.some((key) => key === name || key.endsWith(`.${name}`) || key.replace('<url>.', '') === name);
    const missing = code.flatMap(({ file, text }) => configNamesRead(text).filter((n) => !covered(n)).map((n) => `${n} (${file.slice(ROOT.length)})`));
    expect(missing).toEqual([]);
  });

  it('finds what it looks for (the scan itself can fail)', () => {
    const all = code.flatMap(({ text }) => [...envNamesRead(text), ...configNamesRead(text)]);
    for (const name of ['GIT_CREDENTIAL_PAT_TRACE', 'GH_TOKEN', 'XDG_STATE_HOME', 'DBUS_SESSION_BUS_ADDRESS']) expect(all, name).toContain(name);
    expect(envNamesRead("const v = env.SOME_NEW_VARIABLE; x = env['OTHER']; y = 'GITLAB_TOKEN'")).toEqual(['SOME_NEW_VARIABLE', 'OTHER', 'GITLAB_TOKEN']);
    expect(configNamesRead("git.getUrlmatch('credential.patNew', url); hostSetting(e, 'patOther', h); git.getUrlmatchBool('credential.helperish', u)")).toEqual([
      'credential.patNew',
      'patOther',
      'credential.helperish',
    ]);
  });

  it('is what the man page says, in CONFIGURATION and ENVIRONMENT, as man renders it', async () => {
    const page = await manPage();
    const built = readFileSync(join(ROOT, 'dist', 'git-credential-pat.1'), 'utf8');
    expect(built).toBe(page);
    const text = execFileSync('man', ['-l', '-P', 'cat', join(ROOT, 'dist', 'git-credential-pat.1')], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '400', LC_ALL: 'C.UTF-8' } });
    const section = (name: string) => text.slice(text.indexOf(`\n${name}\n`), text.indexOf('\n', text.indexOf(`\n${name}\n`) + name.length + 2) + 1e9);
    const configuration = section('CONFIGURATION').split('\nENVIRONMENT\n')[0]!;
    const environment = section('ENVIRONMENT').split('\nSEE ALSO\n')[0]!;
    for (const { name, help } of CONFIG_KEYS) {
      expect(configuration, name).toContain(name);
      expect(configuration.replace(/\s+/g, ' '), name).toContain(help.replace(/\s+/g, ' ').slice(0, 40));
    }
    for (const { name } of ENVIRONMENT) expect(environment, name).toContain(name);
    for (const key of ['credential.patGuide', 'credential.<url>.patApiUrl', 'credential.<url>.patProvider', 'credential.patEnvFallback']) expect(configuration).toContain(key);
  });
});
