// GIT_CREDENTIAL_PAT_TRACE: why git did or did not get a credential, one line per step.
// `1`/`2`/`true` trace to stderr, an absolute path appends to that file. A trace is
// for pasting into bug reports, so no line may carry a secret: secret attributes are
// written as <redacted> where they are formatted, and every line goes through redact()
// as well, in case a token turns up where nobody expected one (a username, a path).
// When tracing is off the callers hold no Trace at all and call `trace?.(...)`, which
// skips even building the message.
import { constants, openSync, writeSync } from 'node:fs';
import { TOKEN_PATTERNS } from './hosts/token-shapes.js';
import type { Attributes } from './protocol.js';
import type { SecretBackend } from './store/indexed-store.js';
import { nowMs } from './clock.js';
import { ENV_TOKEN_VARIABLES } from './env-fallback.js';

export type Trace = (message: string) => void;

const REDACTED = '<redacted>';

/** Attributes whose values are secrets (`credential` is git 2.46's pre-encoded Authorization value). */
const SECRET_ATTRIBUTES = new Set(['password', 'oauth_refresh_token', 'credential']);


/**
 * Secrets this process holds (git's password, a stored token, one typed at login): a
 * token of no recognisable shape (Gitea's 40 hex characters) is caught by its value.
 * Short values would turn every line into confetti; real tokens are long.
 */
const held = new Set<string>();

export function holdSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= 8) held.add(value);
}

/** Removes credentials from one line of text: attributes, Authorization values, every forge's token shapes, and every secret held. Idempotent. */
export function redact(text: string): string {
  const withoutAttributes = text
    // The value runs to the next ` name=` or the end of the line: a password may hold spaces.
    .replace(/(?<![A-Za-z0-9])(password|oauth_refresh_token)=.*?(?=\s+[A-Za-z_][\w[\]-]*=|$)/gim, `$1=${REDACTED}`)
    .replace(
      /(authorization\s*:\s*)(?:([A-Za-z][\w-]*)\s+)?[^\s"',;]+/gi,
      (_, header: string, scheme: string | undefined) => `${header}${scheme === undefined ? '' : `${scheme} `}${REDACTED}`,
    );
  let line = TOKEN_PATTERNS.reduce((out, pattern) => out.replace(pattern, `$1${REDACTED}`), withoutAttributes);
  for (const secret of held) line = line.split(secret).join(REDACTED);
  return line;
}

/**
 * The trace for this process, or undefined when the setting turns it off or its file
 * cannot be opened: a trace must never break git.
 */
export function openTrace(setting: string | undefined, action: string, env: NodeJS.ProcessEnv): Trace | undefined {
  if (!setting || /^(0|false)$/i.test(setting)) return undefined;
  let fd: number;
  if (/^(1|2|true)$/i.test(setting)) {
    fd = 2;
  } else if (/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(setting)) {
    try {
      // O_NOFOLLOW: a symlink planted at the path is refused, not written through.
      // O_NONBLOCK: a FIFO nobody reads fails here instead of hanging git.
      const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
      fd = openSync(setting, flags, 0o600);
    } catch {
      return undefined;
    }
  } else {
    return undefined;
  }
  // Every variable the environment-token fallback reads: never traced, whatever they look like.
  for (const name of ENV_TOKEN_VARIABLES) holdSecret(env[name]);
  return (message) => {
    const line = redact(message);
    try {
      writeSync(fd, `git-credential-pat trace ${clock(new Date())} ${action}: ${line}\n`);
    } catch {
      // A full disk or a closed stderr is no reason to fail git's request.
    }
  };
}

function clock(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}.${String(now.getMilliseconds()).padStart(3, '0')}`;
}

/** A value as a person can read it on one line: quoted when it holds spaces, quotes, control characters or stray bytes. */
export function show(value: string): string {
  // Lone surrogates are bytes git sent that are not UTF-8 (src/git-bytes.ts): JSON shows them as \udcXX.
  return value === '' || /[\s"\\\x00-\x1f\x7f\uD800-\uDFFF]/.test(value) ? JSON.stringify(value) : value;
}

/** git's request, secrets shown as <redacted>. */
export function describeRequest(attributes: Attributes): string {
  const parts: string[] = [];
  for (const [key, value] of attributes) {
    const secret = SECRET_ATTRIBUTES.has(key.replace(/\[\]$/, ''));
    for (const item of typeof value === 'string' ? [value] : value) parts.push(`${show(key)}=${secret ? REDACTED : show(item)}`);
  }
  return parts.length === 0 ? '(empty)' : parts.join(' ');
}

export function elapsed(startMs: number): string {
  return `${(nowMs() - startMs).toFixed(1)} ms`;
}

/** Times every keychain call and says what it found (which accounts, never what secret). */
export class TracingSecrets implements SecretBackend {
  constructor(
    private readonly inner: SecretBackend,
    private readonly trace: Trace,
  ) {}

  get(service: string, account: string): Promise<string | null> {
    return this.timed(`get ${show(service)} account=${show(account)}`, () => this.inner.get(service, account), (found) =>
      found === null ? 'no item' : 'found',
    );
  }

  find(service: string): Promise<Array<{ account: string; password: string }>> {
    return this.timed(`find ${show(service)}`, () => this.inner.find(service), (found) =>
      found.length === 0 ? 'no items' : `accounts ${found.map((a) => show(a.account)).join(', ')}`,
    );
  }

  set(service: string, account: string, secret: string): Promise<void> {
    return this.timed(`set ${show(service)} account=${show(account)}`, () => this.inner.set(service, account, secret), () => 'saved');
  }

  delete(service: string, account: string): Promise<boolean> {
    return this.timed(`delete ${show(service)} account=${show(account)}`, () => this.inner.delete(service, account), (deleted) =>
      deleted ? 'deleted' : 'no item',
    );
  }

  confirmGone(service: string, account: string): Promise<boolean> {
    return this.timed(`is ${show(service)} account=${show(account)} gone`, () => this.inner.confirmGone(service, account), (gone) =>
      gone ? 'gone' : 'cannot tell (kept in the index)',
    );
  }

  itemsUnder(prefix: string): Promise<Array<{ service: string; account: string }> | undefined> {
    const inner = this.inner;
    if (!inner.itemsUnder) return Promise.resolve(undefined);
    return this.timed(`items under ${show(prefix)}`, () => inner.itemsUnder!(prefix), (found) =>
      found === undefined ? 'cannot list' : `${found.length} item${found.length === 1 ? '' : 's'}`,
    );
  }

  private async timed<T>(what: string, call: () => Promise<T>, outcome: (result: T) => string): Promise<T> {
    const start = nowMs();
    try {
      const result = await call();
      this.trace(`keychain ${what}: ${outcome(result)} (${elapsed(start)})`);
      return result;
    } catch (error) {
      this.trace(`keychain ${what}: failed after ${elapsed(start)}: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }
}
