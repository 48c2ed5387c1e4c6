// Every management command, listed once. The dispatch table, the top-level usage,
// `help CMD` and the man page all come from this list; a command's options, prose
// and examples live beside its code (src/commands/<name>.ts). Adding a command is
// one entry here and one file there.
import type { CommandSpec, OptionSpecs } from './cli-spec.js';

export interface CommandEntry {
  readonly name: string;
  /** One line for the top-level usage and the man page's command list. */
  readonly summary: string;
  /** Loaded only when asked for: the helper door (get/store/erase) must not pay for any of them. */
  readonly load: () => Promise<CommandSpec<OptionSpecs>>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'login', summary: 'check a token and store it in the keychain', load: async () => (await import('./commands/login.js')).login },
  { name: 'list', summary: 'show stored credentials: host, user, kind, scopes, expiry (never the token)', load: async () => (await import('./commands/list.js')).list },
  { name: 'logout', summary: 'remove stored tokens', load: async () => (await import('./commands/logout.js')).logout },
  { name: 'status', summary: 'check every stored token with its host: valid, expiring, expired, revoked', load: async () => (await import('./commands/status.js')).status },
  { name: 'rotate', summary: 'replace a GitLab token with a new one through its API, safely; --expiring for cron', load: async () => (await import('./commands/rotate.js')).rotate },
  { name: 'token', summary: 'print the stored token for a host to stdout, for scripts', load: async () => (await import('./commands/token.js')).token },
  { name: 'use', summary: "pick the account git uses for a host or an owner's repositories", load: async () => (await import('./commands/use.js')).use },
  { name: 'setup', summary: 'configure git to use this helper, and check what git then runs', load: async () => (await import('./commands/setup.js')).setup },
  { name: 'doctor', summary: "check git's helper configuration, the keychain and stored tokens", load: async () => (await import('./commands/doctor.js')).doctor },
  { name: 'import', summary: "move tokens from ~/.git-credentials or GitHub CLI's hosts.yml into the keychain", load: async () => (await import('./commands/import.js')).importCommand },
  { name: 'unlock', summary: 'servers, WSL, containers: start and unlock your own Secret Service, once per boot', load: async () => (await import('./commands/unlock.js')).unlock },
  { name: 'lock', summary: 'stop the Secret Service that unlock started', load: async () => (await import('./commands/lock.js')).lock },
];

/** What git itself runs (credential-helper protocol on stdin/stdout); served by the door, not by a command spec. */
export const HELPER_ACTIONS = ['get', 'store', 'erase'] as const;

export const TAGLINE = 'Your access tokens, in your OS keychain, handed to git when it asks.';

export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}
