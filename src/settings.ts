// Every git config key and environment variable git-credential-pat reads, in one
// table: the man page's CONFIGURATION and ENVIRONMENT sections are rendered from it,
// the code reads its settings by the names it exports (from src/setting-names.ts, which
// the helper door and the guide import alone, to leave this prose out of their
// bundles), and a test (test/settings.test.ts) fails when src/ reads a name this table
// does not list.

import { ENV_API_TIMEOUT, ENV_API_URL, ENV_CODE_CACHE, ENV_TRACE, GIT_HELPER, GIT_INTERACTIVE, GIT_USE_HTTP_PATH, PAT_API_URL, PAT_ENV_FALLBACK, PAT_GUIDE, PAT_PROVIDER } from './setting-names.js';

export * from './setting-names.js';

export interface Setting {
  /** As a person types it; `<url>` stands for a URL git matches (credential.<url>.*). */
  readonly name: string;
  readonly help: string;
}

/** git config keys, as `git config` takes them. */
export const CONFIG_KEYS: readonly Setting[] = [
  { name: `credential.<url>.helper`, help: `which helpers git runs, and in what order (setup writes it; doctor and setup read it as git resolves it; ${GIT_HELPER} alone is every host)` },
  {
    name: PAT_GUIDE,
    help: 'false turns off the guide: a get that finds nothing, run by a person at a terminal for a forge host, offers to take a new token. Per URL too (credential.<url>.patGuide). Default true',
  },
  { name: GIT_INTERACTIVE, help: "git's own switch for prompts; false also turns the guide off" },
  {
    name: PAT_ENV_FALLBACK,
    help: 'true lets get answer from the environment (GH_TOKEN and the other token variables below) when the keychain has nothing for that host; per URL too (credential.<url>.patEnvFallback). Default off',
  },
  { name: `credential.<url>.${PAT_API_URL}`, help: "the REST API root for one host's forge (GitHub Enterprise, self-hosted GitLab or Gitea); login --host records it from GIT_CREDENTIAL_PAT_API_URL" },
  { name: `credential.<url>.${PAT_PROVIDER}`, help: 'which forge serves one host: github, gitlab, gitea, forgejo, bitbucket, azure-devops or generic; login --provider records it' },
  { name: `credential.<url>.username`, help: 'the account git asks for on that URL when several are stored (use writes it; list marks it as the default; token and doctor read it)' },
  { name: GIT_USE_HTTP_PATH, help: 'when true git asks per repository path; doctor says so, since it changes which token is asked for' },
];

/** Environment variables, by name. */
export const ENVIRONMENT: readonly Setting[] = [
  { name: ENV_TRACE, help: '1 (or true) traces every step of get, store and erase to standard error, redacted; an absolute path appends the trace to that file' },
  { name: ENV_API_URL, help: 'the API root for the one host login --host names (a test server, an Enterprise host); refused for any other host' },
  { name: ENV_API_TIMEOUT, help: 'how long to wait for a forge API, in milliseconds (default 10000)' },
  { name: ENV_CODE_CACHE, help: "0 turns off the compiled-code cache of get, store and erase (kept in XDG_CACHE_HOME)" },
  { name: 'GH_TOKEN, GITHUB_TOKEN', help: `answer get for https://github.com when the keychain has nothing, only where ${PAT_ENV_FALLBACK} is true for the URL` },
  { name: 'GH_ENTERPRISE_TOKEN, GITHUB_ENTERPRISE_TOKEN, GH_HOST', help: `the same for the GitHub Enterprise host named by GH_HOST` },
  { name: 'GITLAB_TOKEN, GITLAB_HOST', help: `the same for https://gitlab.com and the host GITLAB_HOST names (a host or an https URL), answered as oauth2` },
  {
    name: 'CI_JOB_TOKEN, GITLAB_CI, CI_SERVER_FQDN, CI_SERVER_URL, CI_SERVER_HOST',
    help: "inside GitLab CI (GITLAB_CI=true), the CI server's host (CI_SERVER_FQDN, else CI_SERVER_URL's or CI_SERVER_HOST) is answered from GITLAB_TOKEN, else CI_JOB_TOKEN as gitlab-ci-token (never for a request naming another user)",
  },
  { name: 'GITEA_TOKEN, GITEA_SERVER_URL', help: `the same for https://gitea.com and the host of GITEA_SERVER_URL` },
  { name: 'GH_CONFIG_DIR', help: "where import --from gh finds GitHub CLI's hosts.yml (default XDG_CONFIG_HOME/gh)" },
  { name: 'HOME, XDG_CONFIG_HOME', help: 'where git config and ~/.git-credentials are (read by import and doctor)' },
  { name: 'XDG_STATE_HOME', help: 'where the index of stored credentials is kept (XDG_STATE_HOME/git-credential-pat; default ~/.local/state)' },
  { name: 'XDG_CACHE_HOME', help: 'where the compiled-code cache is kept (default ~/.cache)' },
  { name: 'XDG_DATA_HOME', help: "where unlock's login keyring file is (XDG_DATA_HOME/keyrings; default ~/.local/share)" },
  { name: 'LOCALAPPDATA, USERPROFILE', help: 'Windows: where the index is kept (%LOCALAPPDATA%\\git-credential-pat)' },
  { name: 'DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR', help: "Linux: the session bus the Secret Service is asked on, and where unlock's private bus lives" },
  { name: 'DISPLAY, WAYLAND_DISPLAY', help: 'Linux: a desktop, where a person can answer an unlock prompt (the keychain is then given 60 s, not 2)' },
  { name: 'WSL_DISTRO_NAME, WSL_INTEROP', help: 'WSL: advice names unlock rather than a desktop keyring' },
  { name: 'GIT_TERMINAL_PROMPT', help: 'false (as git reads it) turns the guide off' },
  { name: 'GIT_CONFIG_GLOBAL, GIT_CONFIG_SYSTEM', help: 'which global and system config files setup writes, as git reads them' },
  { name: 'PATH', help: 'where doctor and setup look for git-credential-pat, as git will' },
];

/** Every single name the tables list: `GH_TOKEN, GITHUB_TOKEN` counts as two. */
export function listedNames(settings: readonly Setting[]): string[] {
  return settings.flatMap((s) => s.name.split(/,\s*/));
}
