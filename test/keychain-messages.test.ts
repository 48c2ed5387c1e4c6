// The keychain-unavailable messages name the step that works on each platform, and
// none names the test suite's launcher.
import { describe, expect, it } from 'vitest';
import { currentKeychainPlatform, detectWsl, lockedMessage, noServiceMessage, unreachableMessage, type KeychainPlatform } from '../src/store/keychain-messages.js';
import { explainKeychainError } from '../src/store/keychain.js';

const LINUX: KeychainPlatform = { platform: 'linux', wsl: false };
const WSL: KeychainPlatform = { platform: 'linux', wsl: true };
const MAC: KeychainPlatform = { platform: 'darwin', wsl: false };
const WINDOWS: KeychainPlatform = { platform: 'win32', wsl: false };
const ALL = [LINUX, WSL, MAC, WINDOWS];

describe('keychain-unavailable messages per platform', () => {
  it('Linux names unlock and the environment fallback', () => {
    expect(unreachableMessage(LINUX)).toMatch(/^cannot reach the Secret Service \(no D-Bus session here\); run: git-credential-pat unlock \(once per boot\), or enable the environment-token fallback/);
    expect(lockedMessage(LINUX)).toMatch(/locked.*git-credential-pat unlock.*log in to the desktop/);
    expect(noServiceMessage(LINUX)).toMatch(/git-credential-pat unlock/);
    expect(unreachableMessage(LINUX)).not.toMatch(/Credential Manager/);
  });

  it('WSL names unlock and Git Credential Manager on the Windows side', () => {
    for (const message of [unreachableMessage(WSL), noServiceMessage(WSL)]) {
      expect(message).toMatch(/git-credential-pat unlock/);
      expect(message).toMatch(/Git Credential Manager from Windows \(git config --global credential\.helper "\/mnt\/c\/Program\\ Files\/Git\/mingw64\/bin\/git-credential-manager\.exe"\)/);
    }
    expect(lockedMessage(WSL)).toMatch(/git-credential-pat unlock/);
    expect(lockedMessage(WSL)).not.toMatch(/desktop/);
  });

  it('macOS names Keychain Access', () => {
    for (const message of [unreachableMessage(MAC), lockedMessage(MAC), noServiceMessage(MAC)]) {
      expect(message).toMatch(/Keychain Access/);
      expect(message).not.toMatch(/unlock \(once|D-Bus/);
    }
  });

  it('Windows names Credential Manager', () => {
    for (const message of [unreachableMessage(WINDOWS), lockedMessage(WINDOWS), noServiceMessage(WINDOWS)]) {
      expect(message).toMatch(/Windows Credential Manager/);
      expect(message).not.toMatch(/D-Bus|git-credential-pat unlock/);
    }
  });

  it('no message names scripts/with-keyring, and each is one line', () => {
    for (const p of ALL) {
      for (const message of [unreachableMessage(p), lockedMessage(p), noServiceMessage(p)]) {
        expect(message).not.toMatch(/with-keyring/);
        expect(message).not.toMatch(/\n/);
      }
    }
  });

  it("explainKeychainError picks the platform's wording for the library's errors", () => {
    const noBus = new Error('Platform secure storage failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time');
    expect(explainKeychainError(noBus, WSL)).toBe(unreachableMessage(WSL));
    expect(explainKeychainError(new Error('Failed to connect to socket /x: No such file or directory'), LINUX)).toBe(unreachableMessage(LINUX));
    expect(explainKeychainError(new Error('the collection is locked'), MAC)).toBe(lockedMessage(MAC));
    expect(explainKeychainError(new Error('org.freedesktop.DBus.Error.ServiceUnknown'), LINUX)).toBe(noServiceMessage(LINUX));
  });
});

describe('WSL detection (injected)', () => {
  it('reads WSL_DISTRO_NAME, else the kernel release', () => {
    expect(detectWsl({ WSL_DISTRO_NAME: 'Debian' }, () => '6.1.0')).toBe(true);
    expect(detectWsl({}, () => '5.15.153.1-microsoft-standard-WSL2\n')).toBe(true);
    expect(detectWsl({}, () => '6.1.0-28-amd64\n')).toBe(false);
    expect(detectWsl({}, () => {
      throw new Error('no /proc');
    })).toBe(false);
  });

  it('is Linux only', () => {
    expect(currentKeychainPlatform('darwin', () => true)).toEqual({ platform: 'darwin', wsl: false });
    expect(currentKeychainPlatform('linux', () => true)).toEqual({ platform: 'linux', wsl: true });
    expect(currentKeychainPlatform('linux', () => false)).toEqual({ platform: 'linux', wsl: false });
  });
});
