// rotate: a stored token replaces itself through its forge's API (GitLab), or every
// one about to expire does (--expiring, for cron). The rules that keep access safe
// live in src/rotation.ts; this file picks the credentials and reports.
import { defineCommand, hostOption } from '../cli-spec.js';
import { CommandError, UsageError } from '../errors.js';
import { EXPIRY_WARNING_DAYS, expiryState } from '../expiry.js';
import { providerOfStored } from '../hosts/choose.js';
import { parseHostArgument } from '../hosts/host-name.js';
import type { HostProvider } from '../hosts/provider.js';
import { newExpiry, type LifetimeChoice } from '../rotation-lifetime.js';
import { noSelfRotation, rotateStored, type Rescue, type RotationReport } from '../rotation.js';
import type { StoredCredential } from '../store/credential-store.js';
import type { CommandContext } from './context.js';

export const rotate = defineCommand({
  synopsis: '[--host HOST] [--username NAME | --expiring] [--expires DATE | --days N] [--json]',
  description: `
Replaces a stored GitLab token with a new one through GitLab's own API
(POST /personal_access_tokens/self/rotate), and stores the new token in the keychain
in place of the old one, under the same username. GitLab revokes the old token the
moment it answers. The token needs the api or self_rotate scope.

The new token lives as long as the old one did (from its creation to its expiry),
at most 365 days, unless --days or --expires says otherwise; a date is always sent,
since GitLab otherwise gives a rotated token a single week.

Nothing is sent before the old token is known to work, its scopes to allow it, and
the keychain to take a write. The new token is written to the keychain first,
retried and read back, then checked with GitLab. Should the keychain still refuse
it, the new token is shown on the terminal (with --json and no terminal, in the
output's token field), never anywhere else; without either, nothing is rotated.
Two rotates of one token on this machine run one after the other, and the second
does nothing.

A token copied to two machines cannot be rotated safely: once one machine rotates
it, the other still holds the old token, and rotating that one makes GitLab revoke
the whole token family, the new token too. Keep one token per machine.

With --expiring, every GitLab token that expires within ${EXPIRY_WARNING_DAYS} days is rotated, for cron
or a login script: nothing is printed when there is nothing to do, and the exit code
is non-zero when any rotation failed. Without a terminal it needs --json.

Other forges (GitHub, Gitea, Forgejo, Bitbucket, Azure DevOps) have no API for a
token to rotate itself: rotate names their token page instead.`,
  options: {
    host: hostOption('the host whose token to rotate (default: the one GitLab token stored)'),
    username: { type: 'string', value: 'NAME', help: 'the account, where the host has several' },
    expires: { type: 'string', value: 'DATE', help: 'YYYY-MM-DD: when the new token expires (at most 365 days ahead)' },
    days: { type: 'string', value: 'N', help: 'the new token lives N days (1 to 365)' },
    expiring: { type: 'boolean', help: `rotate every GitLab token expiring within ${EXPIRY_WARNING_DAYS} days; quiet when there is none` },
    json: { type: 'boolean', help: 'print the results as JSON on stdout' },
  },
  json: {
    shape: 'an array of objects, one per token rotate tried (none at all when --expiring found nothing to do)',
    fields: [
      { name: 'provider', help: 'the forge (gitlab)' },
      { name: 'host', help: 'the host the token is stored for' },
      { name: 'username', help: 'the git username it is stored under' },
      { name: 'result', help: 'rotated; unchanged (another rotate got there first); failed (nothing new was stored: detail says whether the old token still works); or not-stored (rotated, but the keychain refused the new token)' },
      { name: 'expires', help: "the stored token's expiry (the new one's when rotated), YYYY-MM-DD; null when none" },
      { name: 'scopes', help: 'the scopes GitLab reported' },
      { name: 'verified', help: 'whether GitLab confirmed the new token' },
      { name: 'detail', help: 'what happened, in words' },
      { name: 'token', help: 'only with result not-stored and no terminal: the new token, its only copy' },
    ],
  },
  examples: [
    { command: 'git-credential-pat rotate --host gitlab.com' },
    { command: 'git-credential-pat rotate --host gitlab.example.com --username alice --days 90' },
    { command: 'git-credential-pat rotate --expiring --json', comment: 'from cron: rotates what expires within a week' },
  ],
  async run({ values }, context) {
    if (values.expires !== undefined && values.days !== undefined) throw new UsageError('give --expires or --days, not both');
    const lifetime: LifetimeChoice = values.days !== undefined ? { days: values.days } : values.expires !== undefined ? { date: values.expires } : undefined;
    // Checked now, before anything is asked of the keychain or a forge.
    newExpiry(lifetime, {}, 365, context.now());
    const rescue: Rescue | undefined = context.terminal ? { to: 'terminal', terminal: context.terminal } : values.json ? { to: 'stdout' } : undefined;

    if (values.expiring) {
      if (values.host !== undefined || values.username !== undefined || values.expires !== undefined) throw new UsageError('--expiring rotates every token that expires soon: it takes no --host, --username or --expires');
      const due = (await rotatable(context, await context.store().list())).filter(({ credential }) => expiryState(expiryOf(credential), context.now()) === 'expiring');
      if (due.length === 0) return 0;
      const reports: RotationReport[] = [];
      for (const { credential, provider } of due) {
        reports.push(await rotateStored(context, credential, provider, { lifetime, rescue, onlyIfExpiring: true }));
      }
      return report(context, reports, values.json === true);
    }

    const { credential, provider } = await chosen(context, values.host, values.username);
    if (!provider.selfRotation) throw new CommandError(noSelfRotation(provider, credential.target.host));
    return report(context, [await rotateStored(context, credential, provider, { lifetime, rescue })], values.json === true);
  },
});

function expiryOf(credential: StoredCredential): number | undefined {
  return credential.metadata?.expiresAt ?? credential.secret.passwordExpiryUtc;
}

type Candidate = { credential: StoredCredential; provider: HostProvider };

/** Host-wide https credentials of forges whose tokens can rotate themselves. */
async function rotatable(context: CommandContext, credentials: readonly StoredCredential[]): Promise<Candidate[]> {
  const found: Candidate[] = [];
  for (const credential of credentials) {
    if (credential.target.protocol !== 'https' || credential.target.path !== undefined) continue;
    const provider = await providerOfStored(context, credential);
    if (provider.selfRotation) found.push({ credential, provider });
  }
  return found;
}

/** The one credential --host and --username name; without --host, the one token that can rotate. */
async function chosen(context: CommandContext, hostArgument: string | undefined, username: string | undefined): Promise<Candidate> {
  const host = hostArgument === undefined ? undefined : parseHostArgument(hostArgument);
  const credentials = (await context.store().list()).filter(
    (c) => c.target.protocol === 'https' && c.target.path === undefined && (host === undefined || c.target.host === host) && (username === undefined || c.username === username),
  );
  const who = `${username === undefined ? 'a token' : `a token for ${username}`}${host === undefined ? '' : ` on ${host}`}`;
  if (host !== undefined) {
    if (credentials.length === 0) throw new CommandError(`no ${who.slice(2)} is stored; see: git-credential-pat list`);
    if (credentials.length > 1) throw new UsageError(`${host} has several accounts (${credentials.map((c) => c.username).join(', ')}): pick one with --username`);
    const credential = credentials[0]!;
    return { credential, provider: await providerOfStored(context, credential) };
  }
  const candidates = await rotatable(context, credentials);
  if (candidates.length === 0) throw new CommandError(`no stored token can rotate itself (only GitLab's can); name the host with --host`);
  if (candidates.length > 1) {
    throw new UsageError(`several tokens can rotate (${candidates.map(({ credential: c }) => `${c.username} on ${c.target.host}`).join(', ')}): pick one with --host and --username`);
  }
  return candidates[0]!;
}

async function report(context: CommandContext, reports: readonly RotationReport[], json: boolean): Promise<number> {
  if (json) {
    await context.out(`${JSON.stringify(reports, null, 2)}\n`);
  } else {
    for (const r of reports) {
      const line = `${r.host} (${r.username}): ${r.result === 'rotated' && r.verified ? 'rotated' : r.result}: ${r.detail}\n`;
      if (r.result === 'rotated' && r.verified) await context.out(line);
      else if (r.result === 'unchanged') await context.out(line);
      else context.err(line);
    }
  }
  return reports.every((r) => (r.result === 'rotated' && r.verified) || r.result === 'unchanged') ? 0 : 1;
}
