// The README is for people: its first screen says what this is, that it is PAT-only by
// design, how to install it with npm and what the commands are; the deep material is in
// docs/, every link of which resolves, in the repository and in the packed package.
// The clone's two set-up commands stay in the README, and its test command is the one
// CI runs.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli-registry.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const DOCS = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);

/** GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces to `-`. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function links(file: string): Array<{ target: string; hash: string | undefined }> {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((href) => !/^[a-z]+:/i.test(href))
    .map((href) => {
      const [path, hash] = href.split('#');
      return { target: path ? normalize(join(dirname(file), path)) : file, hash };
    });
}

describe('the README', () => {
  it('its first screen: what it is, PAT-only by design, npm install, the first push', () => {
    const firstScreen = README.split('\n').slice(0, 60).join('\n');
    expect(firstScreen).toMatch(/^# git-credential-pat\n\nA git credential helper/);
    expect(firstScreen).toMatch(/Personal access tokens only, by design/);
    expect(firstScreen).toMatch(/no browser sign-in and no OAuth\s+device flow, unlike GitHub's CLI \(`gh auth login`\) and Git Credential Manager/);
    expect(firstScreen).toContain('npm install --global git-credential-pat\n');
    expect(firstScreen.indexOf('npm install --global git-credential-pat')).toBeLessThan(firstScreen.indexOf('scripts/setup') < 0 ? Infinity : firstScreen.indexOf('scripts/setup'));
    expect(firstScreen).toContain('## Your first push');
    expect(README.split('\n').length).toBeLessThan(150);
  });

  it('lists every command, and the quiet unlock line for ~/.bash_profile', () => {
    const commands = README.slice(README.indexOf('## Commands'), README.indexOf('## Set-up from a clone'));
    for (const { name } of COMMANDS) expect(commands, name).toMatch(new RegExp(`\`${name}[ \`\\]]`));
    expect(README).toContain('[ -t 0 ] && git-credential-pat unlock --quiet');
    expect(README).not.toMatch(/git-credential-pat unlock\n/);
  });

  it("keeps the clone's two set-up commands, and its test command is the one .ci/run runs", () => {
    const section = README.slice(README.indexOf('## Set-up from a clone: two commands'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
    const commands = block.split('\n').filter((line) => /^\S/.test(line)).map((line) => line.replace(/\s+#.*$/, ''));
    expect(commands).toEqual(['scripts/setup', 'npm test']);
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/\bnpm test\b/);
  });
});

describe('docs/', () => {
  it('every page is linked from the README, and every relative link and anchor resolves', () => {
    for (const page of DOCS) expect(README, page).toContain(`](${page})`);
    for (const file of ['README.md', ...DOCS]) {
      for (const { target, hash } of links(file)) {
        expect(existsSync(join(ROOT, target)), `${file} -> ${target}`).toBe(true);
        if (hash && target.endsWith('.md')) {
          const headings = [...readFileSync(join(ROOT, target), 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1]!));
          expect(headings, `${file} -> ${target}#${hash}`).toContain(hash);
        }
      }
    }
  });

  it('has the pages the README promises: matching rules, headless, forges, security, speed, development', () => {
    for (const page of ['matching', 'headless', 'forges', 'security', 'speed', 'development']) expect(DOCS).toContain(`docs/${page}.md`);
    expect(readFileSync(join(ROOT, 'docs', 'headless.md'), 'utf8')).toContain('[ -t 0 ] && git-credential-pat unlock --quiet');
  });

  it('ships in the package, with every file the README and docs link to', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' })) as Array<{ files: Array<{ path: string }> }>;
    const shipped = new Set(pack!.files.map((f) => f.path));
    for (const page of DOCS) expect(shipped, page).toContain(page);
    for (const file of ['README.md', ...DOCS]) for (const { target } of links(file)) expect(shipped, `${file} -> ${target}`).toContain(target);
  });
});
