// The one way a token is asked for and accepted, by login and by the guide at git's
// prompt alike: where to create it, the browser offer, the hidden prompt, and the
// checks a pasted or piped token must pass before it goes anywhere.
import { hostname } from 'node:os';
import { UsageError } from './errors.js';
import { readSecretFromStdin } from './stdin-secret.js';
import { holdSecret } from './trace.js';
import type { HostProvider } from './hosts/provider.js';
import { browserOpener, openInBrowser, type Terminal } from './terminal.js';

const MAX_TOKEN_BYTES = 64 * 1024;

/** Pastes a person gets at a terminal, at login and at git's prompt alike. */
export const MAX_TRIES = 3;

/** Why this text cannot be a token, or undefined when it can. Pure. */
export function tokenProblem(token: string): string | undefined {
  if (token === '') return 'the token is empty';
  if (/\s/.test(token)) return 'the token contains spaces or line breaks; give only the token itself';
  if (/[\0-\x1f\x7f]/.test(token)) return 'the token contains control characters';
  return undefined;
}

export function checkedToken(token: string): string {
  holdSecret(token);
  const problem = tokenProblem(token);
  if (problem) throw new UsageError(problem);
  return token;
}

/** A token piped to login --with-token. */
export function readTokenFromStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  return readSecretFromStdin(stdin, 'token', MAX_TOKEN_BYTES);
}

/** Shows where to create a token for this host and offers to open it in a browser. */
export async function showTokenPage(terminal: Terminal, provider: HostProvider, host: string, env: NodeJS.ProcessEnv): Promise<void> {
  const page = provider.tokenPage(host, hostname());
  if (!page) {
    terminal.say(`\ngit-credential-pat: paste the token or password for ${host}.\n\n`);
    return;
  }
  terminal.say(`\ngit-credential-pat: ${host} needs a personal access token, not your password.\nCreate one on ${provider.label} (${page.note}):\n\n  ${page.url}\n\n`);
  const opener = browserOpener(env);
  if (opener && (await terminal.confirm('Open it in your browser?', true))) openInBrowser(opener, page.url);
}

export type Pasted = { readonly token: string } | { readonly problem: string } | undefined;

/** One hidden read. Undefined: nothing entered, or Ctrl-C. */
export async function readPastedToken(terminal: Terminal): Promise<Pasted> {
  const answer = (await terminal.promptHidden('Paste the token (it will not be shown):'))?.trim();
  if (!answer) return undefined;
  const problem = tokenProblem(answer);
  return problem ? { problem } : { token: answer };
}
