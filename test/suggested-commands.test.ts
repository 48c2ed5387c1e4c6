// Every command line a message, help text or example suggests is one the CLI accepts.
// The lines are found mechanically in the source text (string and template literals,
// `${...}` parts resolved to what they can print), and each goes through the very
// parser the CLI uses: an option a command lacks, or a stray argument, fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS, findCommand, HELPER_ACTIONS } from '../src/cli-registry.js';
import { parseCommandArgs } from '../src/cli-spec.js';
import { BUILTINS } from '../src/cli-help.js';

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const PROGRAM = 'git-credential-pat';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/**
 * The text with each `${...}` replaced by what it can add to a command line: the
 * literals inside it that start with an option (` --host ${host}` in a conditional),
 * else one placeholder value.
 */
export function resolveTemplates(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      let depth = 1;
      let j = i + 2;
      for (; j < text.length && depth > 0; j++) {
        if (text[j] === '{') depth++;
        else if (text[j] === '}') depth--;
      }
      const inner = text.slice(i + 2, j - 1);
      const literals = [...inner.matchAll(/(['`])((?:(?!\1).)*)\1/g)].map((m) => resolveTemplates(m[2]!)).filter((l) => /^\s+--?[a-z]/.test(l));
      out += literals.length > 0 ? literals.join('') : 'VALUE';
      i = j - 1;
    } else {
      out += text[i];
    }
  }
  return out;
}

const KNOWN = new Set<string>([...COMMANDS.map((c) => c.name), ...BUILTINS, ...HELPER_ACTIONS]);

/** Each `git-credential-pat WORD [ARGS]` that names a command or gives it options, cut where prose resumes. */
export function suggestedLines(text: string): string[][] {
  const lines: string[][] = [];
  // A `\n` escape ends a message's line as a newline does.
  for (const match of resolveTemplates(text).replace(/\\n/g, '\n').matchAll(new RegExp(`(?<![\\w/-])${PROGRAM} ([^\\n]*)`, 'g'))) {
    const words = match[1]!.split(/\s+/);
    const [name, ...rest] = words.map((w) => w.replace(/[),;:'"`\\]+$|\.$/g, ''));
    if (!name || !/^[a-z-]+$/.test(name)) continue;
    const args: string[] = [];
    for (const [i, word] of rest.entries()) {
      const raw = words[i + 1]!;
      const previous = args.at(-1);
      const takesValue = previous?.startsWith('--') && !previous.includes('=') && /^[A-Z][A-Z0-9_|.-]*$|^VALUE$|^[\w.@:-]+$/.test(word) && !word.startsWith('-');
      const placeholder = /^[A-Z][A-Z_]+$/.test(word) || word === 'VALUE';
      if (word.startsWith('-') || (takesValue && optionTakesValue(name, previous!)) || (args.length === 0 && placeholder)) args.push(word);
      else break;
      if (/[),;:'"`]$|\.$/.test(raw)) break;
    }
    if (KNOWN.has(name) || args.some((a) => a.startsWith('-'))) lines.push([name, ...args]);
  }
  return lines;
}

function optionTakesValue(command: string, flag: string): boolean {
  const spec = specs.get(command);
  if (!spec) return true;
  const name = flag.replace(/^--/, '');
  const option = Object.entries(spec.options).find(([key, o]) => key === name || o.aliases?.includes(name))?.[1];
  return option?.type !== 'boolean';
}

const specs = new Map(await Promise.all(COMMANDS.map(async (c) => [c.name, await c.load()] as const)));

const found = sourceFiles(SRC).flatMap((file) =>
  suggestedLines(readFileSync(file, 'utf8')).map((line) => ({ where: relative(SRC, file), line })),
);

describe('suggested command lines', () => {
  it('finds the suggestions in the source', () => {
    // A floor, not a count: new messages add to it, a broken extractor would find none.
    expect(found.length).toBeGreaterThan(40);
    const shown = found.map((f) => f.line.join(' '));
    expect(shown).toContain('login --host VALUE --username VALUE --with-token');
    expect(shown).toContain('setup --all-hosts --yes');
  });

  it('the extractor catches an option a command lacks', () => {
    const [line] = suggestedLines("context.err(`run: git-credential-pat import --username EMAIL, then try`)");
    expect(line).toEqual(['import', '--username', 'EMAIL']);
    expect(() => parseCommandArgs(specs.get('import')!, line!.slice(1))).toThrow(/--username/);
  });

  it.each(found.map((f) => [f.line.join(' '), f.where] as const))('git-credential-pat %s (%s) is accepted', (shown, where) => {
    const [name, ...args] = found.find((f) => f.line.join(' ') === shown && f.where === where)!.line;
    if ((BUILTINS as readonly string[]).includes(name!) || (HELPER_ACTIONS as readonly string[]).includes(name!)) {
      expect(args.filter((a) => a.startsWith('-'))).toEqual([]);
      return;
    }
    const entry = findCommand(name!);
    expect(entry, `unknown command '${name}'`).toBeDefined();
    expect(() => parseCommandArgs(specs.get(entry!.name)!, args)).not.toThrow();
  });
});
