// lock: stop the private Secret Service `unlock` started. The keyring stays on disk,
// encrypted; the next get fails fast until the next unlock.
import { defineCommand } from '../cli-spec.js';
import { CommandError } from '../errors.js';
import { holdDaemonsLock, inspectKeyring, loginKeyringFile, PrivateKeyringError, socketPresent, stopPrivateKeyring, type KeyringState } from '../private-bus/daemons.js';

export const lock = defineCommand({
  description: `
Stops the Secret Service and bus that 'unlock' started. Your keyring stays on disk,
encrypted; git gets no token until the next 'git-credential-pat unlock'.
A desktop's own Secret Service is left alone.`,
  options: {},
  examples: [{ command: 'git-credential-pat lock' }],
  async run(_input, context) {
    const { env } = context;
    let state: KeyringState;
    try {
      state = await inspectKeyring(env);
    } catch (error) {
      if (error instanceof PrivateKeyringError) throw new CommandError(error.message);
      throw error;
    }
    if (state.kind === 'none' && !socketPresent(env)) {
      await context.out('No private Secret Service is running; nothing to lock.\n');
      return 0;
    }
    if ((state.kind === 'desktop' || state.kind === 'provider') && !socketPresent(env)) {
      await context.out("The Secret Service on your session bus is your desktop's, not unlock's; lock it from your desktop. Nothing changed.\n");
      return 0;
    }
    // Not while an unlock is starting daemons: it would start them after this looked.
    const release = holdDaemonsLock(env, false);
    let stopped: Awaited<ReturnType<typeof stopPrivateKeyring>>;
    try {
      stopped = await stopPrivateKeyring(env);
    } catch (error) {
      if (error instanceof PrivateKeyringError) throw new CommandError(error.message);
      throw error;
    } finally {
      release();
    }
    const { keyringPid, busPid } = stopped;
    const names = [keyringPid && `gnome-keyring-daemon (PID ${keyringPid})`, busPid && `its bus (PID ${busPid})`].filter(Boolean).join(' and ');
    await context.out(`Locked: stopped ${names || 'nothing (a stale socket was removed)'}. ${loginKeyringFile(env)} stays encrypted; 'git-credential-pat unlock' starts it again.\n`);
    return 0;
  },
});
