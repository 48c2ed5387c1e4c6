// status: ask GitHub about every stored token, all at once.
import { parseHostArgument } from '../github/api-url.js';
import { validateToken, type Validation } from '../github/validate.js';
import { EXPIRY_WARNING_DAYS } from '../helper.js';
import type { StoredCredential } from '../store/credential-store.js';
import { apiBaseFor, parse, type Command, type CommandContext } from './context.js';
import { isGitHubCredential, table } from './describe.js';
import { describeExpiry } from './login.js';

export const help = `usage: git-credential-pat status [--host HOST] [--json]

Checks every stored GitHub token against its host's API, in parallel, and reports
each as valid, expiring (within ${EXPIRY_WARNING_DAYS} days), expired, revoked, or unverified (GitHub
answered 403 or could not be reached: that says nothing about the token, which is
kept). Exits non-zero when any token is not valid.

Examples:
  git-credential-pat status
  git-credential-pat status --host github.com --json`;

type State = 'valid' | 'expiring' | 'expired' | 'revoked' | 'unverified';

export interface Report {
  host: string;
  username: string;
  login: string | null;
  state: State;
  detail: string;
  expires: string | null;
}

export const status: Command = {
  help,
  async run(args, context) {
    const { values } = parse(args, { host: { type: 'string' }, json: { type: 'boolean' } });
    if (values.help) return context.out(`${help}\n`).then(() => 0);
    const host = values.host === undefined ? undefined : parseHostArgument(values.host);
    const store = context.store();
    const credentials = (await store.list()).filter((c) => isGitHubCredential(c) && (host === undefined || c.target.host === host));
    let done = 0;
    const progress = () => context.terminal?.progress(`checking ${done}/${credentials.length} token${credentials.length === 1 ? '' : 's'}...`);
    progress();
    const reports = await Promise.all(
      credentials.map(async (credential) => {
        const report = await checkCredential(context, credential);
        done++;
        progress();
        return report;
      }),
    );
    if (context.terminal) context.terminal.progress('');

    if (values.json) {
      await context.out(`${JSON.stringify(reports, null, 2)}\n`);
    } else if (reports.length === 0) {
      await context.out(`No GitHub tokens stored${host ? ` for ${host}` : ''}. Add one with: git-credential-pat login\n`);
    } else {
      await context.out(table(['HOST', 'USERNAME', 'STATE', 'DETAIL'], reports.map((r) => [r.host, r.username, r.state, r.detail])));
    }
    return reports.every((r) => r.state === 'valid' || r.state === 'expiring') ? 0 : 1;
  },
};

/** Asks GitHub about one stored token and records what it says. */
export async function checkCredential(context: CommandContext, credential: StoredCredential): Promise<Report> {
  const { target, username, secret } = credential;
  const now = context.now();
  const storedExpiry = credential.metadata?.expiresAt ?? secret.passwordExpiryUtc;
  let validation: Validation;
  try {
    validation = await validateToken(secret.password, await apiBaseFor(context, target.host));
  } catch (error) {
    validation = { state: 'unreachable', message: (error as Error).message };
  }
  const base = { host: target.host, username, login: credential.metadata?.login ?? null };
  switch (validation.state) {
    case 'revoked': {
      const expired = storedExpiry !== undefined && storedExpiry * 1000 <= now;
      return {
        ...base,
        state: expired ? 'expired' : 'revoked',
        detail: expired ? `expired ${describeExpiry(storedExpiry, now)}; run: git-credential-pat login --host ${target.host}` : `GitHub rejects it (401); run: git-credential-pat login --host ${target.host}`,
        expires: null,
      };
    }
    case 'forbidden':
    case 'unreachable':
      return { ...base, state: 'unverified', detail: validation.message, expires: null };
    case 'valid': {
      const expiresAt = validation.expiresAt;
      await context.store().setMetadata(target, username, {
        login: validation.login,
        scopes: validation.scopes,
        ...(expiresAt === undefined ? {} : { expiresAt }),
        lastValidated: now,
      });
      if (expiresAt !== secret.passwordExpiryUtc) {
        const { passwordExpiryUtc: _old, ...rest } = secret;
        await context.store().write(target, username, { ...rest, ...(expiresAt === undefined ? {} : { passwordExpiryUtc: expiresAt }) }, 'keep');
      }
      const expiring = expiresAt !== undefined && (expiresAt * 1000 - now) / 86_400_000 < EXPIRY_WARNING_DAYS;
      return {
        ...base,
        login: validation.login,
        state: expiring ? 'expiring' : 'valid',
        detail: `${validation.login}, expires ${describeExpiry(expiresAt, now)}`,
        expires: expiresAt === undefined ? null : new Date(expiresAt * 1000).toISOString(),
      };
    }
  }
}
