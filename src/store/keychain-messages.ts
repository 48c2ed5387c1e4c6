// What to tell a person when the OS keychain cannot be used, per platform: the next
// step that works there. Loaded with the keychain layer, used only on failure.
import { readFileSync } from 'node:fs';

export interface KeychainPlatform {
  readonly platform: NodeJS.Platform;
  /** Linux under Windows (WSL): Git Credential Manager on the Windows side is an option. */
  readonly wsl: boolean;
}

/** WSL sets WSL_DISTRO_NAME; its kernels name Microsoft in their release string. */
export function detectWsl(env: NodeJS.ProcessEnv = process.env, osrelease: () => string = () => readFileSync('/proc/sys/kernel/osrelease', 'utf8')): boolean {
  if (env.WSL_DISTRO_NAME || env.WSL_INTEROP) return true;
  try {
    return /microsoft|wsl/i.test(osrelease());
  } catch {
    return false;
  }
}

export function currentKeychainPlatform(platform: NodeJS.Platform = process.platform, wsl: () => boolean = detectWsl): KeychainPlatform {
  return { platform, wsl: platform === 'linux' && wsl() };
}

const UNLOCK = 'run: git-credential-pat unlock (once per boot)';
const ENV_FALLBACK = 'enable the environment-token fallback (git config --global credential.patEnvFallback true, with GH_TOKEN, GITLAB_TOKEN or GITEA_TOKEN set)';
const GCM =
  `use Git Credential Manager from Windows (git config --global credential.helper "/mnt/c/Program\\ Files/Git/mingw64/bin/git-credential-manager.exe")`;

function waysOut(p: KeychainPlatform): string {
  return p.wsl ? `${UNLOCK}, ${GCM}, or ${ENV_FALLBACK}` : `${UNLOCK}, or ${ENV_FALLBACK}`;
}

/** No D-Bus session, or nothing listening where it should be. */
export function unreachableMessage(p: KeychainPlatform): string {
  switch (p.platform) {
    case 'darwin':
      return 'cannot reach the macOS Keychain; open Keychain Access and check that your login keychain exists and is unlocked';
    case 'win32':
      return 'cannot reach Windows Credential Manager; open Credential Manager (Control Panel, User Accounts) and check that it works for your account';
    default:
      return `cannot reach the Secret Service (no D-Bus session ${p.wsl ? 'in this WSL distribution' : 'here'}); ${waysOut(p)}`;
  }
}

/** A bus, but no Secret Service on it. */
export function noServiceMessage(p: KeychainPlatform): string {
  if (p.platform !== 'linux') return unreachableMessage(p);
  return `no Secret Service keyring is available; ${waysOut(p)}`;
}

/** A locked collection that cannot prompt from here. */
export function lockedMessage(p: KeychainPlatform): string {
  switch (p.platform) {
    case 'darwin':
      return 'the login keychain is locked; unlock it in Keychain Access and try again';
    case 'win32':
      return 'Windows Credential Manager is locked for this session; sign in to Windows again and try again';
    default:
      return `the keyring is locked and cannot be unlocked from here; ${p.wsl ? UNLOCK : `${UNLOCK}, or log in to the desktop`}, and try again`;
  }
}
