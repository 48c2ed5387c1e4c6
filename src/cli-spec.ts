// What a management command says about itself: its options, prose, examples and
// JSON fields. One declaration feeds the argument parser, `CMD --help`, `help CMD`
// and the man page, so none of them can drift from what the command accepts.
import { parseArgs } from 'node:util';
import type { CommandContext } from './commands/context.js';
import { UsageError } from './errors.js';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The value's placeholder in usage, e.g. HOST. Only for string options. */
  readonly value?: string;
  /** Other long names that mean the same, e.g. gh's `hostname` for `host`. */
  readonly aliases?: readonly string[];
  readonly help: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** What the parser hands a command: string options as strings, flags as true, absent ones undefined. */
export type OptionValues<O extends OptionSpecs> = { readonly [K in keyof O]?: O[K]['type'] extends 'string' ? string : boolean };

export interface Example {
  readonly command: string;
  readonly comment?: string;
}

export interface JsonField {
  readonly name: string;
  readonly help: string;
}

export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  /** Positional arguments as usage shows them (e.g. 'LOGIN'); none when absent. */
  readonly arguments?: readonly string[];
  /** Usage after the command name when the options alone cannot say it (choices that exclude each other). */
  readonly synopsis?: string;
  /** Prose paragraphs, wrapped as written. */
  readonly description: string;
  readonly options: O;
  /** --json output: what it is (e.g. 'an array of objects') and its fields. */
  readonly json?: { readonly shape: string; readonly fields: readonly JsonField[] };
  readonly examples: readonly Example[];
  run(input: { readonly values: OptionValues<O>; readonly positionals: readonly string[] }, context: CommandContext): Promise<number>;
}

/** A command: its spec with the options' types kept for `run`. */
export function defineCommand<O extends OptionSpecs>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/** --host, with gh's spelling --hostname. Commands give it their own help text. */
export function hostOption(help: string): OptionSpec & { readonly type: 'string' } {
  return { type: 'string', value: 'HOST', aliases: ['hostname'], help };
}

export const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };

export type Parsed<O extends OptionSpecs> = { readonly help: boolean; readonly values: OptionValues<O>; readonly positionals: readonly string[] };

/**
 * node:util's parser over the spec, with the checks done here rather than by its strict
 * mode: unknown flags, a missing value and stray arguments are usage errors, never
 * guesses, and they are said in our words (Node's own text names `<value>` and talks of
 * "positional arguments"), each naming what was typed.
 */
export function parseCommandArgs<O extends OptionSpecs>(spec: CommandSpec<O>, args: readonly string[]): Parsed<O> {
  const aliases = new Map<string, string>();
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, option] of Object.entries(spec.options)) {
    options[name] = option.short ? { type: option.type, short: option.short } : { type: option.type };
    for (const alias of option.aliases ?? []) aliases.set(alias, name);
  }
  // Aliases are rewritten to their option's own name; everything after `--` is left alone.
  const end = args.indexOf('--');
  const rewritten = args.map((arg, i) => {
    if ((end >= 0 && i > end) || !arg.startsWith('--')) return arg;
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const target = aliases.get(name);
    return target === undefined ? arg : `--${target}${eq < 0 ? '' : arg.slice(eq)}`;
  });
  const { tokens } = parseArgs({ args: rewritten, options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  const allowed = spec.arguments?.length ?? 0;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (positionals.length >= allowed) throw new UsageError(unexpectedArgument(token.value, spec.arguments));
      positionals.push(token.value);
      continue;
    }
    const known = options[token.name];
    if (!known) throw new UsageError(`unknown option '${token.rawName}'`);
    const shown = token.rawName.startsWith('--') ? token.rawName : `--${token.name}`;
    if (known.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`option ${shown} takes no value: type ${shown} alone`);
      values[token.name] = true;
      continue;
    }
    const placeholder = token.name === 'help' ? '' : (spec.options[token.name]?.value ?? 'VALUE');
    // `--host --yes`: the next word was taken as the value, but it is an option, so the value was forgotten.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))) {
      throw new UsageError(`option ${shown} needs a value: type ${shown} ${placeholder}`);
    }
    values[token.name] = token.value;
  }
  const { help, ...rest } = values;
  return { help: help === true, values: rest as OptionValues<O>, positionals };
}

function unexpectedArgument(value: string, expected: readonly string[] | undefined): string {
  if (!expected || expected.length === 0) return `unexpected argument '${value}': this command takes options only`;
  return `unexpected argument '${value}': this command takes ${expected.join(' ')} and options`;
}
