// import: bring tokens kept in plain text (git's store helper, GitHub CLI) into the keychain.
import { shownName } from '../shown-text.js';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { checkNewToken } from '../hosts/check.js';
import { configuredProvider } from '../hosts/choose.js';
import type { HostProvider } from '../hosts/provider.js';
import { providerClaiming, recognisedKind } from '../hosts/registry.js';
import { gitCredentialFiles, parseGhHosts, parseGitCredentials, readPlainFiles, withoutGhAccounts, withoutLines, type FoundInFile } from '../plaintext-sources.js';
import { rewriteUnderLock, type Rewritten } from '../lock-file.js';
import { tokenShapeIn } from '../token-username.js';
import { defineCommand } from '../cli-spec.js';
import type { CommandContext } from './context.js';

type Source = 'git-credentials' | 'gh';

export const importCommand = defineCommand({
  description: `
Moves tokens kept in plain text into your keychain: those git's 'store' helper keeps
in ~/.git-credentials (or ~/.config/git/credentials, or a configured 'store --file='),
and those GitHub's CLI keeps in its hosts.yml when it has no keyring. Tokens for a
forge that can check them (GitHub, GitLab, Gitea, Forgejo, Azure DevOps) are checked
over the network with that forge first, and a token it rejects is not imported;
--no-verify imports them unchecked. Bitbucket's API checks a token only with the
Atlassian account email, which no plain-text file holds: import those with
--no-verify, or log in with login --username EMAIL. Other hosts' credentials are
imported as they are. Prints what it imported, never the token. --delete then
removes exactly the imported lines from ~/.git-credentials, keeping every other line
and the file's mode; from gh's hosts.yml it removes the imported accounts (and a host
left with none), so gh reads the file still, and says what gh is logged out of.`,
  options: {
    from: { type: 'string', value: 'git-credentials|gh', help: 'read only this source (default: both)' },
    delete: { type: 'boolean', help: 'then remove what was imported from the plain-text file' },
    'no-verify': { type: 'boolean', help: 'import tokens without asking their forge' },
  },
  examples: [{ command: 'git-credential-pat import' }, { command: 'git-credential-pat import --from git-credentials --delete' }],
  async run({ values }, context) {
    if (values.from !== undefined && values.from !== 'git-credentials' && values.from !== 'gh') {
      throw new UsageError("--from takes git-credentials or gh");
    }
    const sources: Source[] = values.from === undefined ? ['git-credentials', 'gh'] : [values.from as Source];
    const found: Array<FoundInFile & { readonly source: Source }> = [];
    for (const source of sources) found.push(...(source === 'gh' ? readGh(context.env) : await readGitCredentials(context)).map((f) => ({ ...f, source })));
    if (found.length === 0) {
      await context.out('Found no plain-text credentials to import.\n');
      return 0;
    }

    const imported: Array<FoundInFile & { readonly source: Source }> = [];
    let failures = 0;
    for (const item of found) {
      const { credential: c, file } = item;
      const where = `${c.protocol}://${c.host}${c.path ? `/${c.path}` : ''}`;
      const provider = c.protocol === 'https' && !c.path ? await forgeOf(context, c.host, c.password) : undefined;
      const target = { protocol: c.protocol, host: c.host, ...(c.path ? { path: c.path } : {}) };
      const tokenShape = tokenShapeIn(c.username);
      if (tokenShape !== undefined) {
        failures++;
        context.err(`not imported: a token (${tokenShape}...) used as the username on ${where} from ${file}: store it as the password with any username, such as x-access-token\n`);
        continue;
      }
      if (provider?.validate && !values['no-verify'] && provider.usernameIs === 'api-account') {
        // Its API wants an email that no plain-text file holds: nothing can check it here.
        failures++;
        context.err(
          `not imported: ${shownName(c.username)} on ${where} from ${file}: ${provider.label} checks a token only with your Atlassian account email, which ${file} does not hold; ` +
            `import it unchecked: git-credential-pat import --from ${item.source} --no-verify, or log in: git-credential-pat login --host ${c.host} --username EMAIL\n`,
        );
        continue;
      }
      if (provider?.validate && !values['no-verify']) {
        const checked = await checkNewToken(context, { host: c.host, token: c.password, provider });
        if (!checked.ok) {
          failures++;
          context.err(`not imported: ${shownName(c.username)} on ${where} from ${file}: ${checked.reason}${checked.retry ? `; import it unchecked: git-credential-pat import --from ${item.source} --no-verify` : ''}\n`);
          continue;
        }
        await context.store().write(target, c.username, checked.secret, { ...checked.metadata, login: checked.login ?? c.username });
      } else {
        await context.store().write(target, c.username, { password: c.password }, 'drop');
      }
      imported.push(item);
      await context.out(`imported ${where} ${shownName(c.username) || '(empty)'} (${recognisedKind(c.password)?.kind.label ?? 'password'}) from ${file}\n`);
    }

    const files = [...new Set(imported.map((i) => i.file))];
    if (values.delete) {
      for (const file of files) {
        const fromFile = imported.filter((i) => i.file === file);
        const removed = fromFile[0]!.source === 'gh' ? await removeGhAccounts(context, file, fromFile) : await removeLines(context, file, fromFile.flatMap((i) => i.credential.lines));
        if (!removed) failures++;
      }
    } else if (files.length > 0) {
      context.err(`The tokens are still in plain text in ${files.join(', ')}; run git-credential-pat import --delete to remove those lines.\n`);
    }
    return failures > 0 ? 1 : 0;
  },
});

/**
 * Removes the imported lines from a plain-text file, under git's own lock and through
 * a symlink (src/lock-file.ts), and says only what really happened: the count is
 * what the file lost, read back after the rename.
 */
async function removeLines(context: CommandContext, file: string, lines: readonly string[]): Promise<boolean> {
  let written: Rewritten;
  try {
    written = rewriteUnderLock(file, (text) => withoutLines(text, lines));
  } catch (error) {
    context.err(`not removed from ${file}: ${error instanceof Error ? error.message : String(error)}; the tokens are still there in plain text\n`);
    return false;
  }
  const shown = written.path === file ? file : `${file} (a link to ${written.path})`;
  const still = readFileSync(written.path, 'utf8');
  const removed = countLines(written.before) - countLines(still);
  if (removed > 0) await context.out(`removed ${removed} line${removed === 1 ? '' : 's'} from ${shown}\n`);
  if (removed !== lines.length) {
    context.err(`${shown}: ${lines.length - removed} of the imported lines were not found to remove (it changed while import ran?); check it by hand\n`);
    return false;
  }
  return true;
}

/**
 * gh's hosts.yml loses the imported accounts' blocks, and a host left with none its
 * whole entry: lines alone would leave `users: NAME:` without a token, which gh takes
 * for a broken login. What gh is logged out of is said.
 */
async function removeGhAccounts(context: CommandContext, file: string, items: readonly FoundInFile[]): Promise<boolean> {
  const accounts = items.map((i) => ({ host: i.credential.host, user: i.credential.username }));
  let result: ReturnType<typeof withoutGhAccounts> | undefined;
  let written: Rewritten;
  try {
    written = rewriteUnderLock(file, (text) => (result = withoutGhAccounts(text, accounts)).text);
  } catch (error) {
    context.err(`not removed from ${file}: ${error instanceof Error ? error.message : String(error)}; the tokens are still there in plain text\n`);
    return false;
  }
  const shown = written.path === file ? file : `${file} (a link to ${written.path})`;
  const left = parseGhHosts(readFileSync(written.path, 'utf8')).filter((c) => items.some((i) => i.credential.host === c.host && i.credential.password === c.password));
  if (left.length > 0) {
    context.err(`${shown}: ${left.length} of the imported tokens are still there (it changed while import ran?); check it by hand\n`);
    return false;
  }
  await context.out(`removed ${accounts.length} account${accounts.length === 1 ? '' : 's'} from ${shown}\n`);
  for (const host of result?.loggedOut ?? []) await context.out(`gh is now logged out of ${host}; git gets its token from git-credential-pat\n`);
  for (const { host, user } of result?.switched ?? []) await context.out(`gh now uses ${user} on ${host}\n`);
  return true;
}

function countLines(text: string): number {
  return text === '' ? 0 : text.split(/(?<=\n)/).length;
}

/** The forge a plain-text token belongs to, when its host or shape says so; never a guess from nothing. */
async function forgeOf(context: CommandContext, host: string, token: string): Promise<HostProvider | undefined> {
  return providerClaiming(host) ?? (await configuredProvider(context, host)) ?? recognisedKind(token)?.provider;
}

async function readGitCredentials(context: CommandContext): Promise<FoundInFile[]> {
  const files = gitCredentialFiles(await context.git.entries('^credential\\..*helper$'), context.env.HOME || homedir(), context.env.XDG_CONFIG_HOME);
  return readPlainFiles(files, parseGitCredentials);
}

function readGh(env: NodeJS.ProcessEnv): FoundInFile[] {
  const home = env.HOME || homedir();
  const dir = env.GH_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(home, '.config'), 'gh');
  return readPlainFiles([join(dir, 'hosts.yml')], parseGhHosts);
}
