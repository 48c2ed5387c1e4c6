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
import { gitCredentialFiles, parseGhHosts, parseGitCredentials, readPlainFiles, withoutLines, type FoundInFile } from '../plaintext-sources.js';
import { rewriteUnderLock, type Rewritten } from '../lock-file.js';
import { tokenShapeIn } from '../token-username.js';
import { defineCommand } from '../cli-spec.js';
import type { CommandContext } from './context.js';

type Source = 'git-credentials' | 'gh';

export const importCommand = defineCommand({
  description: `
Moves tokens kept in plain text into your keychain: those git's 'store' helper keeps
in ~/.git-credentials (or ~/.config/git/credentials, or a configured 'store --file='),
and those GitHub's CLI keeps in its hosts.yml when it has no keyring. GitHub tokens
are checked with GitHub first (a token GitHub rejects is not imported) unless
--no-verify; other hosts' credentials are imported as they are. Prints what it
imported, never the token. --delete then removes exactly the imported lines from
the plain-text file, keeping every other line and the file's mode.`,
  options: {
    from: { type: 'string', value: 'git-credentials|gh', help: 'read only this source (default: both)' },
    delete: { type: 'boolean', help: 'then remove the imported lines from the plain-text file' },
    'no-verify': { type: 'boolean', help: 'import GitHub tokens without asking GitHub' },
  },
  examples: [{ command: 'git-credential-pat import' }, { command: 'git-credential-pat import --from git-credentials --delete' }],
  async run({ values }, context) {
    if (values.from !== undefined && values.from !== 'git-credentials' && values.from !== 'gh') {
      throw new UsageError("--from takes git-credentials or gh");
    }
    const sources: Source[] = values.from === undefined ? ['git-credentials', 'gh'] : [values.from as Source];
    const found: FoundInFile[] = [];
    for (const source of sources) found.push(...(source === 'gh' ? readGh(context.env) : await readGitCredentials(context)));
    if (found.length === 0) {
      await context.out('Found no plain-text credentials to import.\n');
      return 0;
    }

    const imported: FoundInFile[] = [];
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
      if (provider?.validate && !values['no-verify']) {
        const checked = await checkNewToken(context, { host: c.host, token: c.password, provider });
        if (!checked.ok) {
          failures++;
          context.err(`not imported: ${shownName(c.username)} on ${where} from ${file}: ${checked.reason}\n`);
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
        const lines = imported.filter((i) => i.file === file).flatMap((i) => i.credential.lines);
        if (!(await removeLines(context, file, lines))) failures++;
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
