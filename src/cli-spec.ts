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

/** node:util's strict parser over the spec: unknown flags and stray arguments are usage errors, never guesses. */
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
  const allowed = spec.arguments?.length ?? 0;
  try {
    const parsed = parseArgs({ args: rewritten, options, strict: true, allowPositionals: allowed > 0 });
    if (parsed.positionals.length > allowed) throw new UsageError(`unexpected argument '${parsed.positionals[allowed]}'`);
    const { help, ...values } = parsed.values as Record<string, string | boolean | undefined>;
    return { help: help === true, values: values as OptionValues<O>, positionals: parsed.positionals };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message.split('\n')[0]!.replace(/\. To specify a positional.*$/, ''));
  }
}
