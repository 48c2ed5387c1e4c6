// Where people already keep tokens in plain text, and how to read them. Parsing is
// pure; reading the files is here too, shared by import and doctor.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, parse as parseYaml, parseDocument, type YAMLMap } from 'yaml';
import { storeHelperFile, type ConfigEntry } from './credential-helpers.js';

export interface PlainCredential {
  readonly protocol: string;
  readonly host: string;
  readonly path?: string;
  readonly username: string;
  readonly password: string;
  /** The exact lines holding it (without line endings), so --delete removes just those. */
  readonly lines: readonly string[];
}

/**
 * git credential-store's format: one URL per line, `https://user:password@host[/path]`,
 * user and password percent-encoded. Anything else (blank lines, comments) is not ours.
 */
export function parseGitCredentials(text: string): PlainCredential[] {
  const found: PlainCredential[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^:@/]*):([^@/]*)@([^/]+)(?:\/(.*))?$/.exec(line.trim());
    if (!match) continue;
    try {
      const [, protocol, user, password, host, path] = match;
      found.push({
        protocol: protocol!.toLowerCase(),
        host: host!.toLowerCase(),
        ...(path ? { path: decodeURIComponent(path) } : {}),
        username: decodeURIComponent(user!),
        password: decodeURIComponent(password!),
        lines: [line],
      });
    } catch {
      // A malformed %-escape: not a line git wrote.
    }
  }
  return found;
}

/**
 * GitHub CLI's hosts.yml when it has no keyring: per host, `oauth_token` and `user`,
 * and (gh 2.40+) a `users:` map with one `oauth_token` per account.
 */
export function parseGhHosts(text: string): PlainCredential[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch {
    return [];
  }
  if (typeof document !== 'object' || document === null) return [];
  const found = new Map<string, PlainCredential>();
  const lines = text.split(/\r?\n/);
  const linesOf = (token: string) => lines.filter((l) => new RegExp(`^\\s*oauth_token:\\s*["']?${escapeRegExp(token)}["']?\\s*$`).test(l));
  for (const [host, entry] of Object.entries(document as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as { user?: unknown; oauth_token?: unknown; users?: unknown };
    const accounts: Array<[string, unknown]> = [];
    if (typeof e.users === 'object' && e.users !== null) {
      for (const [user, data] of Object.entries(e.users as Record<string, unknown>)) accounts.push([user, (data as { oauth_token?: unknown } | null)?.oauth_token]);
    }
    if (typeof e.user === 'string') accounts.push([e.user, e.oauth_token]);
    for (const [user, token] of accounts) {
      if (typeof token !== 'string' || token === '') continue;
      const holding = linesOf(token);
      if (holding.length === 0) continue;
      found.set(`${host}\0${user}`, { protocol: 'https', host: host.toLowerCase(), username: user, password: token, lines: holding });
    }
  }
  return [...found.values()];
}

export interface GhAccount {
  readonly host: string;
  readonly user: string;
}

export interface GhRemoval {
  readonly text: string;
  /** Hosts whose entry went: gh is logged out of them. */
  readonly loggedOut: readonly string[];
  /** Hosts where another account stayed and gh now uses it. */
  readonly switched: ReadonlyArray<{ readonly host: string; readonly user: string }>;
}

/**
 * gh's hosts.yml without these accounts, in a shape gh reads: an account's block goes
 * from `users:`; a host left with no account loses its whole entry (gh is logged out
 * of it), and one whose active account went switches to a remaining one, taking its
 * token, as gh's own logout does. Everything else is kept. Pure.
 */
export function withoutGhAccounts(text: string, accounts: readonly GhAccount[]): GhRemoval {
  const doc = parseDocument(text);
  const loggedOut: string[] = [];
  const switched: Array<{ host: string; user: string }> = [];
  if (!isMap(doc.contents)) return { text, loggedOut, switched };
  const root = doc.contents as YAMLMap;
  for (const host of new Set(accounts.map((a) => a.host))) {
    const gone = new Set(accounts.filter((a) => a.host === host).map((a) => a.user));
    const pair = root.items.find((p) => String((p.key as { value?: unknown })?.value ?? p.key).toLowerCase() === host);
    if (!pair || !isMap(pair.value)) continue;
    const entry = pair.value as YAMLMap;
    const users = entry.get('users');
    if (isMap(users)) for (const user of gone) users.delete(user);
    const left = isMap(users) ? users.items.map((p) => String((p.key as { value?: unknown })?.value ?? p.key)) : [];
    const active = entry.get('user');
    if (left.length === 0) {
      root.delete(pair.key);
      loggedOut.push(host);
    } else if (typeof active !== 'string' || gone.has(active)) {
      const next = left[0]!;
      entry.set('user', next);
      const token = (users as YAMLMap).getIn([next, 'oauth_token']);
      if (typeof token === 'string') entry.set('oauth_token', token);
      else entry.delete('oauth_token');
      switched.push({ host, user: next });
    }
  }
  return { text: root.items.length === 0 ? '' : doc.toString(), loggedOut, switched };
}

/** The text without the given lines (each removed once, wherever it is), all else byte for byte. */
export function withoutLines(text: string, remove: readonly string[]): string {
  const pending = [...remove];
  const parts = text.split(/(?<=\n)/);
  return parts
    .filter((part) => {
      const line = part.replace(/\r?\n$/, '');
      const at = pending.indexOf(line);
      if (at < 0) return true;
      pending.splice(at, 1);
      return false;
    })
    .join('');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface FoundInFile {
  readonly file: string;
  readonly credential: PlainCredential;
}

/** The files git's store helper writes: its two defaults and every configured `store --file=`. */
export function gitCredentialFiles(entries: readonly ConfigEntry[], home: string, xdgConfigHome: string | undefined): string[] {
  const files = new Set([join(home, '.git-credentials'), join(xdgConfigHome || join(home, '.config'), 'git', 'credentials')]);
  for (const entry of entries) {
    if (entry.value && /^credential\..*helper$/i.test(entry.key)) for (const file of storeHelperFile(entry.value, home, xdgConfigHome)) files.add(file);
  }
  return [...files];
}

/** Every credential in the files that exist; unreadable or absent files hold none. */
export function readPlainFiles(files: readonly string[], parseText: (text: string) => PlainCredential[]): FoundInFile[] {
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return [];
    }
    return parseText(text).map((credential) => ({ file, credential }));
  });
}
