// unlock: on a machine with no desktop, start this user's own Secret Service
// (a private D-Bus bus and gnome-keyring-daemon, detached) and unlock the login
// keyring, so every git started afterwards finds its tokens. Once per boot.
import { existsSync } from 'node:fs';
import { defineCommand } from '../cli-spec.js';
import { CommandError, UsageError } from '../errors.js';
import { adviceFor, providerLabel } from '../store/secret-service-provider.js';
import { currentKeychainPlatform } from '../store/keychain-messages.js';
import { holdDaemonsLock, inspectKeyring, loginKeyringFile, PrivateKeyringError, startPrivateKeyring, type KeyringState } from '../private-bus/daemons.js';
import type { CommandContext } from './context.js';
import { readSecretBytesFromStdin } from '../stdin-secret.js';
import { MAX_TRIES } from '../token-prompt.js';

const MAX_PASSWORD_BYTES = 4096;

export const unlock = defineCommand({
  description: `
For servers, WSL and containers: starts your own Secret Service (a private D-Bus
bus and gnome-keyring-daemon) that outlives this session, and unlocks your login
keyring with its password (the first run creates the keyring with it). From then on
git finds your tokens from any shell, tmux, cron or IDE, until reboot or 'lock'.
The keyring file stays encrypted with this password; the password is never put in
any process's arguments or environment.

Where a desktop Secret Service already answers, or this one is already unlocked,
it says so and changes nothing; with --quiet it says nothing then, for a line in
~/.bash_profile that asks once per boot: [ -t 0 ] && git-credential-pat unlock --quiet
A wrong password changes nothing and exits 1.`,
  options: {
    'password-stdin': { type: 'boolean', help: 'read the password from standard input (scripts), not the terminal' },
    quiet: { type: 'boolean', short: 'q', help: 'print nothing when there is nothing to do (already unlocked, or a desktop keyring answers)' },
  },
  examples: [
    { command: 'git-credential-pat unlock' },
    { command: '[ -t 0 ] && git-credential-pat unlock --quiet', comment: 'in ~/.bash_profile: asks once per boot, silent after' },
    { command: 'pass show keyring | git-credential-pat unlock --password-stdin' },
  ],
  async run({ values }, context) {
    try {
      return await unlockHere(values['password-stdin'] === true, values.quiet === true, context);
    } catch (error) {
      if (error instanceof PrivateKeyringError) throw new CommandError(error.message);
      throw error;
    }
  },
});

/** Starts and unlocks unless something already answers. */
async function unlockHere(passwordStdin: boolean, quiet: boolean, context: CommandContext): Promise<number> {
  const { env } = context;
  const state = await inspectKeyring(env);
  const done = await alreadyServed(state, quiet, context);
  if (done !== undefined) return done;
  const file = loginKeyringFile(env);
  const creating = !existsSync(file);
  const password = await readPassword(passwordStdin, context, file, creating);
  // One unlock at a time starts daemons; what the last one left is looked at again under the lock.
  const release = holdDaemonsLock(env, true);
  try {
    const now = await inspectKeyring(env);
    const served = await alreadyServed(now, quiet, context);
    if (served !== undefined) return served;
    const { socket, pid } = await startPrivateKeyring(env, password, now);
    await context.out(
      `${creating ? 'Created and unlocked' : 'Unlocked'} your login keyring (${file}).\n` +
        `Its Secret Service (PID ${pid}) listens on ${socket}; git finds it from any session until reboot or 'git-credential-pat lock'.\n`,
    );
    return 0;
  } finally {
    release();
  }
}

/** The exit code when something already serves (and nothing is to be started), else undefined. */
async function alreadyServed(state: KeyringState, quiet: boolean, context: CommandContext): Promise<number | undefined> {
  if (state.kind === 'desktop') {
    if (quiet) return 0;
    await context.out(`A Secret Service already answers on your session bus${state.pid ? ` (PID ${state.pid})` : ''}: git uses it. Nothing to do.\n`);
    return 0;
  }
  if (state.kind === 'provider') {
    // Starting gnome-keyring beside it would hide the person's own keychain from git.
    throw new CommandError(`${providerLabel(state.provider)} serves the Secret Service on your session bus: ${adviceFor(state.provider, state.want, currentKeychainPlatform())}`);
  }
  if (state.kind === 'unlocked') {
    if (quiet) return 0;
    await context.out(`Already unlocked: your private Secret Service (PID ${state.pid}) listens on ${state.socket}. Nothing changed.\n`);
    return 0;
  }
  return undefined;
}

async function readPassword(passwordStdin: boolean, context: CommandContext, file: string, creating: boolean): Promise<Buffer> {
  let password: Buffer | undefined;
  if (passwordStdin) {
    password = await readSecretBytesFromStdin(context.stdin, 'password', MAX_PASSWORD_BYTES);
  } else {
    const { terminal } = context;
    if (!terminal) throw new UsageError('no terminal to ask for the keyring password; pass it on standard input with --password-stdin');
    let typed = await terminal.promptHidden(creating ? `New password for your login keyring (${file}):` : 'Password of your login keyring:');
    // A mistyped confirmation asks both again, as passwd does, up to MAX_TRIES times.
    for (let tries = 1; typed !== undefined && creating; tries++) {
      const again = await terminal.promptHidden('The same password again:');
      if (again === undefined) throw new CommandError('no password entered; nothing was created');
      if (again === typed) break;
      if (tries >= MAX_TRIES) throw new CommandError('the two passwords differ; nothing was created');
      terminal.say('The two passwords differ; try again.\n');
      typed = await terminal.promptHidden(`New password for your login keyring (${file}):`);
    }
    // The prompt decodes the terminal's bytes as UTF-8 and turns each invalid sequence into
    // U+FFFD, so what it hands back is not the bytes typed: never send that to the keyring.
    if (typed?.includes('\ufffd')) {
      throw new CommandError('the password typed is not valid UTF-8 (is the terminal set to another encoding?); pipe its exact bytes with --password-stdin');
    }
    password = typed === undefined ? undefined : Buffer.from(typed, 'utf8');
  }
  // An empty password makes gnome-keyring store the keyring unencrypted.
  if (!password || password.length === 0) throw new CommandError('the password is empty; the keyring must be encrypted with one');
  // gnome-keyring-daemon reads its password as a C string: a NUL would end it there, and
  // every password sharing the bytes before it would unlock the same keyring.
  if (password.includes(0)) throw new CommandError('the password contains a NUL byte, which gnome-keyring would cut it at; choose one without');
  return password;
}

