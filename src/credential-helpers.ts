// Which credential helpers git runs for a URL, by git's own rules. Pure.
// git collects `credential.helper` and every `credential.<url>.helper` whose <url>
// matches, in config order (system, global, local, command line); an empty value
// resets the list gathered so far (credential.c, urlmatch with select_all).

export interface ConfigEntry {
  readonly scope: string;
  readonly origin: string;
  /** As git prints it: section and name lower-cased, subsection as written. */
  readonly key: string;
  /** null for a bare key with no `=`. */
  readonly value: string | null;
}

export interface ResolvedHelper {
  /** As git prints it, e.g. `credential.https://github.com.helper`. */
  readonly key: string;
  readonly value: string;
  readonly scope: string;
  readonly origin: string;
}

/** The <url> of `credential.<url>.<name>`, '' for plain `credential.<name>`, undefined for other keys. */
export function credentialKeyUrl(key: string, name: string): string | undefined {
  const lower = key.toLowerCase();
  if (!lower.startsWith('credential.') || !lower.endsWith(`.${name.toLowerCase()}`)) return undefined;
  return key.slice('credential.'.length, key.length - name.length - 1).replace(/\.$/, '');
}

interface ParsedUrl {
  scheme: string;
  user: string | undefined;
  host: string;
  port: string;
  path: string[];
}

const DEFAULT_PORTS: Record<string, string> = { https: '443', http: '80' };

function parseUrl(url: string): ParsedUrl | undefined {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:([^@/]*)@)?([^/:]*)(?::(\d+))?(\/.*)?$/.exec(url);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  return {
    scheme,
    user: match[2] === undefined ? undefined : decodeURIComponent(match[2]),
    host: match[3]!.toLowerCase(),
    port: match[4] ?? DEFAULT_PORTS[scheme] ?? '',
    path: (match[5] ?? '').split('/').filter(Boolean),
  };
}

/** git's urlmatch: same scheme and port, host equal (a `*` label matches one label), pattern path a prefix by segments, user if given. */
export function urlMatches(pattern: string, url: string): boolean {
  const p = parseUrl(pattern);
  const u = parseUrl(url);
  if (!p || !u) return false;
  if (p.scheme !== u.scheme || p.port !== u.port) return false;
  if (p.user !== undefined && p.user !== u.user) return false;
  const pLabels = p.host.split('.');
  const uLabels = u.host.split('.');
  if (pLabels.length !== uLabels.length || pLabels.some((l, i) => l !== '*' && l !== uLabels[i])) return false;
  return p.path.every((segment, i) => segment === u.path[i]);
}

export function effectiveHelpers(entries: readonly ConfigEntry[], url: string): ResolvedHelper[] {
  let helpers: ResolvedHelper[] = [];
  for (const entry of entries) {
    const scopeUrl = credentialKeyUrl(entry.key, 'helper');
    if (scopeUrl === undefined || (scopeUrl !== '' && !urlMatches(scopeUrl, url))) continue;
    if (entry.value === null) continue;
    if (entry.value === '') helpers = [];
    else helpers.push({ key: entry.key, value: entry.value, scope: entry.scope, origin: entry.origin });
  }
  return helpers;
}

/**
 * This tool, however git is told to run it: `pat` (git runs git-credential-pat),
 * `git-credential-pat`, an absolute path to it (Windows' backslashes, `.cmd` and `.exe` too), or a
 * shell command (`!...`) that runs it.
 */
export function isOurHelper(value: string): boolean {
  const v = value.trim();
  return v === 'pat' || v.startsWith('pat ') || /(^|[\s/\\!'"])git-credential-pat(\.cjs|\.cmd|\.exe)?(['"]?)(\s|$)/i.test(v);
}

/** git's credential-store, which writes every token it is given in plain text. */
export function isStoreHelper(value: string): boolean {
  return /^store\b|credential-store/.test(value.trim());
}

/** The file a `store` helper writes, if this helper is git's credential-store. */
export function storeHelperFile(value: string, home: string, xdgConfigHome: string | undefined): string[] {
  const v = value.trim();
  const match = /^(?:store|!?git credential-store|.*\/git-credential-store)(\s|$)(.*)$/.exec(v);
  if (!match) return [];
  const file = /--file(?:=|\s+)(\S+)/.exec(match[2] ?? '')?.[1];
  if (file) return [file.replace(/^~(?=\/)/, home)];
  return [`${home}/.git-credentials`, `${xdgConfigHome || `${home}/.config`}/git/credentials`];
}

/** Parses `git config --null --show-scope --show-origin --get-regexp` output. */
export function parseConfigDump(text: string): ConfigEntry[] {
  const fields = text.split('\0');
  const entries: ConfigEntry[] = [];
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const scope = fields[i]!;
    const origin = fields[i + 1]!;
    const keyValue = fields[i + 2]!;
    const newline = keyValue.indexOf('\n');
    entries.push(
      newline < 0
        ? { scope, origin, key: keyValue, value: null }
        : { scope, origin, key: keyValue.slice(0, newline), value: keyValue.slice(newline + 1) },
    );
  }
  return entries;
}
