// git's boolean rules (config.c: git_parse_maybe_bool, then git_parse_int), for
// values git reads from the environment such as GIT_TERMINAL_PROMPT. Pure and tiny:
// the helper door reads it before deciding whether to load the guide.

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const INT_MAX = 2 ** 31 - 1;

/**
 * true / false as git reads the text, or undefined where git refuses it ("bad boolean
 * config value"). Empty is false; true/yes/on and false/no/off in any ASCII case; else
 * an int (decimal, 0x hex or 0 octal, optional k/m/g) that is true unless zero.
 */
export function gitBoolean(value: string): boolean | undefined {
  const lower = value.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (lower === '') return false;
  if (lower === 'true' || lower === 'yes' || lower === 'on') return true;
  if (lower === 'false' || lower === 'no' || lower === 'off') return false;
  const number = gitInt(lower);
  return number === undefined ? undefined : number !== 0;
}

/** strtoimax(value, &end, 0) then one optional unit letter, within an int's range. */
function gitInt(text: string): number | undefined {
  const match = /^[ \t\n\v\f\r]*([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)([kmg]?)$/.exec(text);
  if (!match) return undefined;
  const [, sign, digits, unit] = match;
  const magnitude = digits!.startsWith('0x') ? parseInt(digits!.slice(2), 16) : digits!.length > 1 && digits!.startsWith('0') ? parseInt(digits!, 8) : Number(digits);
  const value = (sign === '-' ? -1 : 1) * magnitude * UNITS[unit!]!;
  // git bounds both signs by INT_MAX: -2147483648 is refused too.
  return Math.abs(value) > INT_MAX ? undefined : value;
}

/** Whether git may prompt on the terminal: GIT_TERMINAL_PROMPT unset, or a true boolean. A value git refuses means no. */
export function terminalPromptAllowed(env: NodeJS.ProcessEnv): boolean {
  const value = env.GIT_TERMINAL_PROMPT;
  return value === undefined || gitBoolean(value) === true;
}
