// Who serves the Secret Service decides what a person is told to do: the same
// "locked" is a KeePassXC database to open, a KWallet wallet to open, or
// gnome-keyring's `unlock`. The daemons themselves: test/providers-matrix.test.ts.
import { describe, expect, it } from 'vitest';
import { lockedMessage, type KeychainPlatform } from '../src/store/keychain-messages.js';
import { adviceFor, providerLabel, providerOfProcessName, type ProviderKind, type ServiceWant } from '../src/store/secret-service-provider.js';

const LINUX: KeychainPlatform = { platform: 'linux', wsl: false };

describe('who serves', () => {
  it('knows each provider by its process name (comm, at most 15 characters)', () => {
    expect(providerOfProcessName('gnome-keyring-d\n')).toBe('gnome-keyring');
    expect(providerOfProcessName('keepassxc')).toBe('keepassxc');
    for (const name of ['kwalletd5', 'kwalletd6', 'ksecretd']) expect(providerOfProcessName(name)).toBe('kwallet');
    expect(providerOfProcessName('kwalletmanager5')).toBe('other');
    expect(providerOfProcessName('secretd')).toBe('other');
  });
});

describe("each provider's fix", () => {
  const wants: ServiceWant[] = ['locked', 'confirmation', 'no-collection', 'cannot-encrypt'];
  const providers: Array<ProviderKind | undefined> = ['gnome-keyring', 'keepassxc', 'kwallet', 'other', undefined];

  it('names the provider and never gives gnome-keyring advice for another', () => {
    for (const want of wants) {
      expect(adviceFor('keepassxc', want, LINUX)).toMatch(/KeePassXC/);
      expect(adviceFor('kwallet', want, LINUX)).toMatch(/KWallet/);
      for (const provider of ['keepassxc', 'kwallet'] as const) expect(adviceFor(provider, want, LINUX)).not.toMatch(/git-credential-pat unlock/);
    }
  });

  it('says what the person does, in one line, for every provider and want', () => {
    for (const provider of providers) {
      for (const want of wants) {
        const advice = adviceFor(provider, want, LINUX);
        expect(advice).not.toContain('\n');
        expect(advice.length).toBeGreaterThan(20);
      }
    }
    expect(adviceFor('keepassxc', 'no-collection', LINUX)).toMatch(/expose/);
    expect(adviceFor('keepassxc', 'confirmation', LINUX)).toMatch(/[Cc]onfirm/);
    expect(adviceFor('kwallet', 'locked', LINUX)).toMatch(/open it/);
    expect(adviceFor('kwallet', 'cannot-encrypt', LINUX)).toMatch(/libqca-qt5-2-plugins/);
    expect(adviceFor('kwallet', 'no-collection', LINUX)).toMatch(/create one/);
  });

  it("a locked gnome-keyring (or one nobody names) keeps the platform's advice: unlock", () => {
    expect(adviceFor('gnome-keyring', 'locked', LINUX)).toBe(lockedMessage(LINUX));
    expect(adviceFor(undefined, 'locked', LINUX)).toBe(lockedMessage(LINUX));
    expect(lockedMessage(LINUX)).toMatch(/git-credential-pat unlock/);
  });

  it('labels', () => {
    expect(providerLabel('keepassxc')).toBe('KeePassXC');
    expect(providerLabel('kwallet')).toBe('KWallet');
    expect(providerLabel(undefined)).toBe('the Secret Service');
  });
});
