// How doctor and setup describe the Secret Service situation on Linux, with the
// next step: a desktop's, the private one of `unlock` (unlocked or locked), or none.
import { inspectKeyring, PrivateKeyringError, type KeyringState } from './daemons.js';
import { busAddress, busLocation } from './location.js';
import { currentKeychainPlatform } from '../store/keychain-messages.js';
import { adviceFor, KWALLET_API_OFF, providerLabel } from '../store/secret-service-provider.js';

export interface StateCheck {
  readonly check: 'secret-service';
  readonly level: 'ok' | 'problem';
  readonly message: string;
  readonly fix?: string;
  /** false: it is known that the keychain cannot serve now (locked, no collection), whatever a search answers. */
  readonly serving?: boolean;
}

const UNLOCK = 'git-credential-pat unlock (once per boot)';

export function describeKeyringState(state: KeyringState): StateCheck {
  switch (state.kind) {
    case 'desktop':
      return {
        check: 'secret-service',
        level: 'ok',
        message: `${state.provider && state.provider !== 'other' ? `${providerLabel(state.provider)}'s Secret Service` : 'a Secret Service'} answers on your session bus${state.pid ? ` (PID ${state.pid})` : ''}`,
      };
    case 'unlocked':
      return { check: 'secret-service', level: 'ok', message: `your private Secret Service from unlock is unlocked (PID ${state.pid}, socket ${state.socket})` };
    case 'locked':
      return { check: 'secret-service', level: 'problem', message: `your private Secret Service runs but the keyring is locked (socket ${state.socket})`, fix: UNLOCK };
    case 'provider':
      return {
        check: 'secret-service',
        level: 'problem',
        message: `${providerLabel(state.provider)} answers on your session bus${state.pid ? ` (PID ${state.pid})` : ''} but cannot serve now`,
        fix: adviceFor(state.provider, state.want, currentKeychainPlatform()),
        serving: false,
      };
    case 'none':
      if (state.kwalletApiOff) return { check: 'secret-service', level: 'problem', message: 'no Secret Service answers on your session bus', fix: KWALLET_API_OFF };
      return state.sessionLocked
        ? { check: 'secret-service', level: 'problem', message: 'a Secret Service answers on your session bus, but its keyring is locked and nothing here can unlock it', fix: UNLOCK }
        : { check: 'secret-service', level: 'problem', message: 'no Secret Service is running for you here (no desktop session, no unlock)', fix: UNLOCK };
  }
}

/** doctor's report; nothing off Linux, where the OS keychain is always there. */
export async function secretServiceCheck(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Promise<StateCheck | undefined> {
  if (platform !== 'linux') return undefined;
  try {
    return describeKeyringState(await inspectKeyring(env));
  } catch (error) {
    if (error instanceof PrivateKeyringError) return { check: 'secret-service', level: 'problem', message: `cannot tell which Secret Service serves you: ${error.message}` };
    throw error;
  }
}

/**
 * setup's last line on a machine where nothing answers yet. A desktop (a display, or a
 * session bus of its own named) is taken at its word without asking the bus.
 */
export async function headlessLastStep(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Promise<string | undefined> {
  if (platform !== 'linux' || env.DISPLAY || env.WAYLAND_DISPLAY) return undefined;
  const named = env.DBUS_SESSION_BUS_ADDRESS;
  if (named && named !== busAddress(busLocation(env).socket) && named !== (env.XDG_RUNTIME_DIR && busAddress(`${env.XDG_RUNTIME_DIR}/bus`))) return undefined;
  let state: KeyringState;
  try {
    state = await inspectKeyring(env);
  } catch {
    return undefined; // doctor says why; setup's work is done either way
  }
  if (state.kind === 'desktop' || state.kind === 'unlocked' || state.kind === 'provider') return undefined;
  return `One step left: this machine has no desktop keyring; run ${UNLOCK} and git finds your tokens from every session.\n`;
}
