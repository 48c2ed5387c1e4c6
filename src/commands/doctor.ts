// doctor: why does (or doesn't) git get a token from us? Each check says ok,
// warning or problem, with the fix.
import { shownName } from '../shown-text.js';
import { homedir } from 'node:os';
import { effectiveHelpers, isOurHelper, isStoreHelper, type ConfigEntry } from '../credential-helpers.js';
import { gitCredentialFiles, parseGitCredentials, readPlainFiles } from '../plaintext-sources.js';
import { daysLeft, expiryState } from '../expiry.js';
import { canSelfRotate } from '../hosts/self-rotation.js';
import { checkableCredentials, recheckStored } from '../hosts/check.js';
import { providerOfStored } from '../hosts/choose.js';
import { UNKNOWN_KIND } from '../vocabulary.js';
import { parseHostArgument } from '../hosts/host-name.js';
import { providerClaiming, recognisedKind } from '../hosts/registry.js';
import { secretServiceCheck } from '../private-bus/report.js';
import type { StoredCredential } from '../store/credential-store.js';
import { defineCommand, hostOption } from '../cli-spec.js';
import type { CommandContext } from './context.js';
import { hostDefault, removalCommand, routingRules } from '../routing.js';
import { onPath } from '../platform.js';
import { INSTALL_HINT } from './setup.js';
import { GIT_USERNAME, GIT_USE_HTTP_PATH } from '../setting-names.js';

export type Level = 'ok' | 'warning' | 'problem';

export interface Check {
  readonly check: string;
  readonly level: Level;
  readonly message: string;
  readonly fix?: string;
}

export const doctor = defineCommand({
  description: `
Checks, and reports as ok / warning / problem with a fix:
  - git and its version; which helpers git runs for https://github.com (and --host),
    in order, as git resolves them; whether git-credential-pat is among them and on PATH
  - on Linux, the Secret Service: a desktop's, the private one of 'unlock' (unlocked,
    with its PID and socket, or locked), or none; with the next step
  - the keychain: reachable, unlocked
  - stored tokens: count by forge and by kind, expiry (and, with --online, validity:
    each token's own forge is asked, GitHub, GitLab, Gitea, Bitbucket or Azure DevOps)
  - tokens in plain text (~/.git-credentials or a 'store --file' target) for hosts we manage
  - credential.useHttpPath and credential.username, which change the token git asks for
Exits 1 when any problem is found.`,
  options: {
    host: hostOption('also check this host (github.com is always checked)'),
    online: { type: 'boolean', help: "also ask each stored token's forge whether it is valid (generic hosts are not asked)" },
    json: { type: 'boolean', help: 'print the checks as JSON on stdout' },
  },
  json: {
    shape: 'one object: { checks, problems }',
    fields: [
      { name: 'checks', help: 'an array of { check, level, message, fix? } in the order they ran' },
      { name: 'checks[].check', help: 'what was checked: git, helpers, path, keychain, tokens, online, plain-text or selection' },
      { name: 'checks[].level', help: 'ok, warning or problem' },
      { name: 'checks[].message', help: 'what was found, in words' },
      { name: 'checks[].fix', help: 'the command or step that fixes it; absent when there is nothing to fix' },
      { name: 'problems', help: 'how many checks are at level problem (the exit status is 1 when any)' },
    ],
  },
  examples: [{ command: 'git-credential-pat doctor' }, { command: 'git-credential-pat doctor --host ghe.example.com --online --json' }],
  async run({ values }, context) {
    const hosts = ['github.com', ...(values.host === undefined ? [] : [parseHostArgument(values.host)])].filter((h, i, a) => a.indexOf(h) === i);
    const checks: Check[] = [];

    const version = await context.git.version();
    checks.push(version ? { check: 'git', level: 'ok', message: `git ${version}` } : { check: 'git', level: 'problem', message: 'git is not on PATH', fix: 'install git' });
    const entries = version ? await context.git.entries('^credential\\.') : [];
    for (const host of hosts) checks.push(...helperChecks(entries, `https://${host}`, context.env));

    const secretService = await secretServiceCheck(context.env);
    if (secretService) checks.push(secretService);
    // A provider known to be locked answers searches with nothing (KWallet): that is not "unlocked".
    const credentials = secretService?.serving === false ? undefined : await keychainCheck(context, checks);
    if (credentials) checks.push(...(await tokenChecks(context, credentials, values.online === true)));
    checks.push(...plainTextChecks(entries, credentials ?? [], context.env));
    for (const host of hosts) checks.push(...(await selectionChecks(context, `https://${host}`, credentials)));

    const problems = checks.filter((c) => c.level === 'problem').length;
    if (values.json) {
      await context.out(`${JSON.stringify({ checks, problems }, null, 2)}\n`);
    } else {
      const width = 'problem'.length;
      await context.out(
        checks.map((c) => `${c.level.padEnd(width)}  ${c.message}\n${c.fix ? `${' '.repeat(width)}  fix: ${c.fix}\n` : ''}`).join(''),
      );
    }
    return problems > 0 ? 1 : 0;
  },
});

export function helperChecks(entries: readonly ConfigEntry[], url: string, env: NodeJS.ProcessEnv): Check[] {
  const helpers = effectiveHelpers(entries, url);
  const order = helpers.length === 0 ? 'none' : helpers.map((h, i) => `${i + 1}. ${h.value} (${h.scope})`).join(', ');
  const ours = helpers.findIndex((h) => isOurHelper(h.value));
  const checks: Check[] = [];
  const setupFix = `git-credential-pat setup${url === 'https://github.com' ? '' : ` --host ${url.slice('https://'.length)}`}`;
  if (ours < 0) {
    checks.push({ check: 'helpers', level: 'problem', message: `git does not ask git-credential-pat for ${url}; it runs: ${order}`, fix: setupFix });
  } else if (ours > 0) {
    checks.push({ check: 'helpers', level: 'warning', message: `for ${url} git asks ${helpers[0]!.value} before git-credential-pat: ${order}`, fix: `${setupFix} --yes (puts it first)` });
  } else {
    checks.push({ check: 'helpers', level: 'ok', message: `for ${url} git asks git-credential-pat first: ${order}` });
  }
  const all = helpers.filter((h) => isOurHelper(h.value));
  if (all.length > 1) {
    checks.push({
      check: 'helpers',
      level: 'warning',
      message: `git runs git-credential-pat ${all.length} times for ${url} (${all.map((h) => `${h.key} = ${h.value}, ${h.scope}`).join('; ')}): every token is stored ${all.length} times and every notice shown ${all.length} times`,
      fix: `${setupFix} --yes (resets the list so git runs it once)`,
    });
  }
  const store = helpers.find((h) => isStoreHelper(h.value));
  if (store) {
    checks.push({ check: 'helpers', level: 'warning', message: `'${store.value}' also runs for ${url}: git hands it every working token, which it writes in plain text`, fix: `${setupFix} --yes (resets the list so only git-credential-pat stores)` });
  }
  const named = helpers[ours];
  if (named && named.value.trim().split(/\s/)[0] === 'pat' && !onPath('git-credential-pat', env, process.platform)) {
    checks.push({ check: 'path', level: 'problem', message: "git runs 'git credential-pat', but git-credential-pat is not on PATH", fix: INSTALL_HINT });
  }
  return checks;
}

async function keychainCheck(context: CommandContext, checks: Check[]): Promise<StoredCredential[] | undefined> {
  try {
    const store = context.store();
    // One real round trip: an empty index alone would not touch the keychain.
    await store.accounts({ protocol: 'https', host: 'doctor-probe.invalid' });
    const credentials = await store.list();
    checks.push({ check: 'keychain', level: 'ok', message: 'the keychain is reachable and unlocked' });
    return credentials;
  } catch (error) {
    const message = (error as Error).message;
    checks.push({ check: 'keychain', level: 'problem', message: /locked/.test(message) ? `the keychain is locked: ${message}` : message });
    return undefined;
  }
}

async function tokenChecks(context: CommandContext, credentials: readonly StoredCredential[], online: boolean): Promise<Check[]> {
  const now = context.now();
  const checkable = await checkableCredentials(context, credentials);
  // Two tallies, never one: a forge (where a token goes) and a kind (what its shape says) are different questions.
  const forges = new Map<string, number>();
  const kinds = new Map<string, number>();
  for (const c of credentials) {
    const forge = (await providerOfStored(context, c)).id;
    forges.set(forge, (forges.get(forge) ?? 0) + 1);
    const kind = recognisedKind(c.secret.password)?.kind.id ?? UNKNOWN_KIND;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const tally = (counts: Map<string, number>) => [...counts].map(([name, count]) => `${count} ${name}`).join(', ');
  const checks: Check[] = [
    {
      check: 'tokens',
      level: 'ok',
      message: `${credentials.length} stored credential${credentials.length === 1 ? '' : 's'}${credentials.length === 0 ? '' : `; by forge: ${tally(forges)}; by kind: ${tally(kinds)}`}`,
    },
  ];
  // With --online a checked token's state comes from its forge, in one line: its stored
  // expiry would only say the same thing twice (an expired token is also rejected).
  const asked = new Set(online ? checkable.map(({ credential }) => credential) : []);
  for (const c of credentials) {
    if (asked.has(c)) continue;
    const expiresAt = c.metadata?.expiresAt ?? c.secret.passwordExpiryUtc;
    if (expiresAt === undefined) continue;
    const days = daysLeft(expiresAt, now);
    const state = expiryState(expiresAt, now);
    const renew = `create a new token and run: git-credential-pat login --host ${c.target.host}`;
    // An expiring token that can renew itself is renewed with rotate; an expired one cannot be.
    const rotate = canSelfRotate(c.metadata) ? `git-credential-pat rotate --host ${c.target.host}` : renew;
    if (state === 'expired') checks.push({ check: 'tokens', level: 'problem', message: `the token for ${shownName(c.username)} on ${c.target.host} has expired`, fix: renew });
    else if (state === 'expiring') checks.push({ check: 'tokens', level: 'warning', message: `the token for ${shownName(c.username)} on ${c.target.host} expires in ${days} day${days === 1 ? '' : 's'}`, fix: rotate });
  }
  if (online) {
    for (const report of await Promise.all(checkable.map(({ credential }) => recheckStored(context, credential)))) {
      const level: Level = report.state === 'valid' ? 'ok' : report.state === 'expiring' || report.state === 'unverified' ? 'warning' : 'problem';
      checks.push({ check: 'online', level, message: `${report.username} on ${report.host} (${report.provider}): ${report.state} (${report.detail})` });
    }
  }
  return checks;
}

export function plainTextChecks(entries: readonly ConfigEntry[], credentials: readonly StoredCredential[], env: NodeJS.ProcessEnv): Check[] {
  const managed = new Set(credentials.map((c) => c.target.host));
  // Advice to drop a helper nobody configured cannot be followed.
  const storeConfigured = entries.some((e) => e.value !== null && /^credential\..*helper$/i.test(e.key) && isStoreHelper(e.value));
  // The same files and the same parser as import, so every finding is one import can act on.
  const found = readPlainFiles(gitCredentialFiles(entries, env.HOME || homedir(), env.XDG_CONFIG_HOME), parseGitCredentials);
  const hostsByFile = new Map<string, Set<string>>();
  for (const { file, credential } of found) {
    if (!managed.has(credential.host) && providerClaiming(credential.host) === undefined) continue;
    hostsByFile.set(file, (hostsByFile.get(file) ?? new Set()).add(credential.host));
  }
  const checks: Check[] = [...hostsByFile].map(([file, hosts]) => ({
    check: 'plain-text',
    level: 'problem',
    message: `${file} holds a token in plain text for ${[...hosts].join(', ')}`,
    fix: `git-credential-pat import --delete (moves them into the keychain and removes those lines)${storeConfigured ? ", then drop the 'store' helper from your git config" : ''}`,
  }));
  if (checks.length === 0) checks.push({ check: 'plain-text', level: 'ok', message: 'no plain-text token files for hosts git-credential-pat manages' });
  return checks;
}

async function selectionChecks(context: CommandContext, url: string, credentials: readonly StoredCredential[] | undefined): Promise<Check[]> {
  const checks: Check[] = [];
  const useHttpPath = await context.git.getUrlmatch(GIT_USE_HTTP_PATH, url);
  if (useHttpPath !== undefined && /^(true|yes|on|1)$/i.test(useHttpPath)) {
    checks.push({ check: 'selection', level: 'warning', message: `credential.useHttpPath is on for ${url}: git asks per repository path; a token stored for the whole host still answers, but tokens stored by git go per repository` });
  }
  const username = await context.git.getUrlmatch(GIT_USERNAME, url);
  const host = url.slice('https://'.length);
  const rule = hostDefault(await routingRules(context.git, host));
  // Routing to an account with no token makes git ask for it and get nothing, whoever else is stored.
  const stale = username !== undefined && credentials !== undefined && !credentials.some((c) => c.target.host === host && c.target.path === undefined && c.username === username);
  if (stale) {
    checks.push({
      check: 'selection',
      level: 'problem',
      message: `credential.username for ${url} is ${username}, but no token is stored for ${username} on ${host}: git asks for that account and gets nothing`,
      fix: `${rule === undefined || rule.url === '' ? removalCommand(rule ?? { key: GIT_USERNAME, scope: 'global' }) : `git-credential-pat use --clear${host === 'github.com' ? '' : ` --host ${host}`}`} (or log in as ${username})`,
    });
  } else if (username !== undefined) {
    checks.push({ check: 'selection', level: 'ok', message: `credential.username for ${url} is ${username}: git asks for that account's token` });
  }
  return checks;
}
