// Who serves the Secret Service, and what each one wants from a person. gnome-keyring,
// KeePassXC and KWallet (kwalletd5/6, ksecretd) all own org.freedesktop.secrets but
// fail differently: KeePassXC serves only an open database, and only the group it is
// told to expose, and may ask to confirm every access; KWallet serves only an open
// wallet, needs its Secret Service API switched on, and encrypts every transfer
// (with QCA's plugins). Every message that gives advice about the keychain asks here.
import { expectBody, type BusConnection } from './dbus/connection.js';
import { lockedMessage, type KeychainPlatform } from './keychain-messages.js';

export type ProviderKind = 'gnome-keyring' | 'keepassxc' | 'kwallet' | 'other';

/** Why our request cannot be served now; each has one fix per provider. */
export type ServiceWant =
  /** The collection (database, wallet, keyring) is locked. */
  | 'locked'
  /** The service asks a person to allow this access (KeePassXC's confirmation), and no one can answer. */
  | 'confirmation'
  /** There is no default collection to keep items in. */
  | 'no-collection'
  /** The service refuses the transfer session we can offer (KWallet without QCA's plugins). */
  | 'cannot-encrypt';

const SECRETS_NAME = 'org.freedesktop.secrets';
const BUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' } as const;

/** A well-known name each provider also owns, on the same connection as the Secret Service. */
const OWN_NAMES: ReadonlyArray<readonly [string, ProviderKind]> = [
  ['org.gnome.keyring', 'gnome-keyring'],
  ['org.keepassxc.KeePassXC.MainWindow', 'keepassxc'],
  ['org.kde.kwalletd6', 'kwallet'],
  ['org.kde.kwalletd5', 'kwallet'],
  ['org.kde.secretservicecompat', 'kwallet'],
];

/** A process name (/proc/PID/comm, at most 15 characters) as a provider. */
export function providerOfProcessName(comm: string): ProviderKind {
  const name = comm.trim();
  if (name.startsWith('gnome-keyring')) return 'gnome-keyring';
  if (/^keepassxc/i.test(name)) return 'keepassxc';
  if (/^(kwalletd\d*|ksecretd)$/.test(name)) return 'kwallet';
  return 'other';
}

/**
 * Asked of the bus daemon only: which connection owns org.freedesktop.secrets, and
 * which provider's own name that connection also holds. undefined: nobody owns it.
 * Where no known name matches, the owner's process name decides (ksecretd, or a
 * provider that registered no name of its own).
 */
export async function identifyProvider(bus: BusConnection, processName: (pid: number) => string | undefined): Promise<ProviderKind | undefined> {
  const owner = await nameOwner(bus, SECRETS_NAME);
  if (owner === undefined) return undefined;
  const owners = await Promise.all(OWN_NAMES.map(([name]) => nameOwner(bus, name)));
  const match = OWN_NAMES.find((_, i) => owners[i] === owner);
  if (match) return match[1];
  try {
    const [pid] = expectBody<[number]>(await bus.call({ ...BUS, member: 'GetConnectionUnixProcessID', signature: 's', body: [SECRETS_NAME] }), 'u');
    const comm = processName(pid);
    return comm === undefined ? 'other' : providerOfProcessName(comm);
  } catch {
    return 'other';
  }
}

/** Said when nobody owns org.freedesktop.secrets but KWallet runs: its Secret Service API is off. */
export const KWALLET_API_OFF =
  'KWallet runs, but its Secret Service API is off; set apiEnabled=true under [org.freedesktop.secrets] in ~/.config/kwalletrc, restart kwalletd (or log in again), and try again';

/** Whether KWallet runs (called where nobody owns org.freedesktop.secrets: then its API is off). */
export async function kwalletWithoutSecretService(bus: BusConnection): Promise<boolean> {
  const [kwallet5, kwallet6] = await Promise.all([nameOwner(bus, 'org.kde.kwalletd5'), nameOwner(bus, 'org.kde.kwalletd6')]);
  return kwallet5 !== undefined || kwallet6 !== undefined;
}

async function nameOwner(bus: BusConnection, name: string): Promise<string | undefined> {
  try {
    return expectBody<[string]>(await bus.call({ ...BUS, member: 'GetNameOwner', signature: 's', body: [name] }), 's')[0];
  } catch {
    return undefined;
  }
}

export function providerLabel(provider: ProviderKind | undefined): string {
  switch (provider) {
    case 'gnome-keyring':
      return 'gnome-keyring';
    case 'keepassxc':
      return 'KeePassXC';
    case 'kwallet':
      return 'KWallet';
    default:
      return 'the Secret Service';
  }
}

const UNLOCK_COMMAND = 'git-credential-pat unlock';

/** One clause: what is wrong and what the person does about it, for this provider. */
export function adviceFor(provider: ProviderKind | undefined, want: ServiceWant, platform: KeychainPlatform): string {
  // gnome-keyring's, and an unknown provider's: `unlock` starts a gnome-keyring of our own when none can be unlocked.
  if (want === 'locked' && provider !== 'keepassxc' && provider !== 'kwallet') return lockedMessage(platform);
  switch (provider) {
    case 'keepassxc':
      switch (want) {
        case 'locked':
          // KeePassXC also calls a database locked while it exposes no group to the Secret Service.
          return "KeePassXC's database is locked, or exposes no group; unlock it in KeePassXC, and check that a group is exposed (Database > Database Settings > Secret Service Integration), and try again";
        case 'confirmation':
          return 'KeePassXC asks to confirm this access, and no one can answer it here; allow it in KeePassXC, or turn off "Confirm when passwords are retrieved by clients" (Tools > Settings > Secret Service Integration)';
        case 'no-collection':
          return 'KeePassXC exposes no group to the Secret Service; choose one under Database > Database Settings > Secret Service Integration, and try again';
        case 'cannot-encrypt':
          return 'KeePassXC refused every transfer session we can open; check its Secret Service Integration settings';
      }
      break;
    case 'kwallet':
      switch (want) {
        case 'locked':
          return "KWallet's wallet is closed (locked); open it (KWallet Manager, or log in to Plasma), and try again";
        case 'confirmation':
          return 'KWallet asks to allow this access, and no one can answer it here; allow it in KWallet, and try again';
        case 'no-collection':
          return 'KWallet has no wallet yet; create one (KWallet Manager, File > New Wallet, named kdewallet), and try again';
        case 'cannot-encrypt':
          return 'KWallet cannot open an encrypted session (QCA\'s crypto plugins are missing); install libqca-qt5-2-plugins (Debian, Ubuntu) or qca-qt5-ossl, and try again';
      }
      break;
    case 'gnome-keyring':
      switch (want) {
        case 'locked':
          return lockedMessage(platform);
        case 'confirmation':
          return 'gnome-keyring asks to confirm this access, and no one can answer it here; log in to the desktop and allow it, and try again';
        case 'no-collection':
          return `gnome-keyring has no login keyring yet; run: ${UNLOCK_COMMAND} (it creates one), and try again`;
        case 'cannot-encrypt':
          return 'gnome-keyring refused every transfer session we can open';
      }
      break;
  }
  switch (want) {
    case 'locked':
      return lockedMessage(platform);
    case 'confirmation':
      return 'the Secret Service asks to confirm this access, and no one can answer it here; allow it in your keychain program, and try again';
    case 'no-collection':
      return 'the Secret Service has no default collection to keep items in; create one in your keychain program, and try again';
    case 'cannot-encrypt':
      return 'the Secret Service refused every transfer session we can open';
  }
}
