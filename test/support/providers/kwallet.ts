// KWallet (kwalletd5, KF5 5.103 on Debian 12) as a Secret Service, headless, as issue
// 20 measured it: a kwalletrc that enables the wallet and its Secret Service API and
// never prompts on open; the wallet created over D-Bus with pamOpen (what pam_kwallet
// does at login, with a 56-byte key derived from the login password; ours is random
// and lives only in this process's memory and in D-Bus messages); kwalletd5 restarted
// so its Secret Service sees the wallet; pamOpen again; then Service.Unlock with its
// Prompt, which gives the Secret Service side its own handle on the open wallet.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon, stopOnFailure, waitFor, withControl, type Control, type SessionBus } from './session-bus.js';
import { daemonEnv, type ProviderHome } from './tools.js';

export interface KWalletMode {
  /** Whether a wallet exists yet (a new user's kwalletd5 has none). Yes unless asked. */
  readonly wallet?: boolean;
  /**
   * Whether kwalletd5 finds libqca-qt5-2-plugins (only a Recommends of
   * libkf5wallet-bin; without it the Secret Service's dh session cannot start). Yes
   * unless asked.
   */
  readonly qcaPlugins?: boolean;
  /**
   * Whether kwalletd5 serves the Secret Service API (kwalletrc's
   * [org.freedesktop.secrets] apiEnabled). Yes unless asked; off, it owns no
   * org.freedesktop.secrets at all.
   */
  readonly secretServiceApi?: boolean;
}

export interface KWalletInstance {
  readonly daemon: () => Daemon;
  readonly collection: string | undefined;
  lock(): Promise<void>;
  unlock(): Promise<void>;
}

const WALLET = 'kdewallet';
const KWALLETD = { destination: 'org.kde.kwalletd5', path: '/modules/kwalletd5', interface: 'org.kde.KWallet' } as const;

function kwalletrc(api: boolean): string {
  return `[Wallet]
Enabled=true
First Use=false
Default Wallet=${WALLET}
Leave Open=true
Close When Idle=false
Prompt on Open=false

[org.freedesktop.secrets]
apiEnabled=${api}
`;
}

/** The folder QCA loads its crypto providers from, as the installed package lays it out. */
export function qcaPluginDir(): string {
  const files = execFileSync('dpkg', ['-L', 'libqca-qt5-2-plugins'], { encoding: 'utf8' }).split('\n');
  const dir = files.find((f) => /\/qca-qt5\/crypto$/.test(f));
  if (!dir) throw new Error('libqca-qt5-2-plugins lists no qca-qt5/crypto folder');
  return dir;
}

/**
 * kwalletd5, or kwalletd5 without the qca plugins: the plugins stay installed, but
 * kwalletd5 runs in a mount namespace of its own where an empty folder is bind-mounted
 * over QCA's plugin folder, so to it they are not there (the same files QCA would find
 * on a machine that never installed the Recommends). Needs root, as CI and this
 * sandbox run.
 */
function spawnKwalletd(dir: string, env: NodeJS.ProcessEnv, qcaPlugins: boolean): Daemon {
  const log = join(dir, 'kwalletd5.log');
  if (qcaPlugins) return Daemon.start('kwalletd5', 'kwalletd5', [], env, log);
  if (process.getuid?.() !== 0) throw new Error('KWallet without the qca plugins needs root (a mount namespace hides them from kwalletd5)');
  const empty = join(dir, 'no-qca-plugins');
  mkdirSync(empty, { recursive: true });
  // unshare execs sh, sh execs kwalletd5: one PID, so stop() signals kwalletd5 itself.
  return Daemon.start(
    'kwalletd5',
    'unshare',
    ['--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount --bind "$1" "$2" && exec kwalletd5', 'sh', empty, qcaPluginDir()],
    env,
    log,
  );
}

async function pamOpen(control: Control, key: Uint8Array, log: () => string): Promise<void> {
  // pamOpen is a NoReply method: sent, then isOpen tells when it is done.
  control.send({ ...KWALLETD, member: 'pamOpen', signature: 'sayi', body: [WALLET, key, 0] });
  await waitFor(`pamOpen to open the wallet "${WALLET}"`, 10_000, async () => {
    const [open] = (await control.call({ ...KWALLETD, member: 'isOpen', signature: 's', body: [WALLET] })).body as [boolean];
    return open || undefined;
  }, log);
}

export async function startKWallet(dir: string, home: ProviderHome, bus: SessionBus, mode: KWalletMode): Promise<KWalletInstance> {
  const env = daemonEnv(home, bus.address);
  const qcaPlugins = mode.qcaPlugins !== false;
  const api = mode.secretServiceApi !== false;
  writeFileSync(join(home.XDG_CONFIG_HOME, 'kwalletrc'), kwalletrc(api));
  const key = randomBytes(56);
  let daemon = spawnKwalletd(dir, env, qcaPlugins);
  const log = () => daemon.log();
  const started = (control: Control) =>
    waitFor('kwalletd5 to own org.kde.kwalletd5 and org.freedesktop.secrets', 20_000, async () => {
      if (!daemon.running) throw new Error(`kwalletd5 exited (${daemon.child.exitCode ?? daemon.child.signalCode})`);
      return ((await control.nameHasOwner(KWALLETD.destination)) && (!api || (await control.nameHasOwner('org.freedesktop.secrets')))) || undefined;
    }, log);

  let collection: string | undefined;
  await stopOnFailure(() => daemon, async () => {
    await withControl(bus.address, async (control) => {
      await started(control);
      if (mode.wallet === false || !api) return;
      await pamOpen(control, key, log);
      // The Secret Service side lists the wallets it found at start: restart to see the new one.
      await daemon.stop();
      daemon = spawnKwalletd(dir, env, qcaPlugins);
    });
    if (mode.wallet === false || !api) return;
    await withControl(bus.address, async (control) => {
      await started(control);
      await pamOpen(control, key, log);
      collection = await waitFor("ReadAlias('default') to name the wallet", 10_000, () => control.readAlias(), log);
      await control.unlock(collection);
    });
  });

  const target = () => {
    if (!collection) throw new Error('this KWallet has no wallet to lock or unlock');
    return collection;
  };
  return {
    daemon: () => daemon,
    collection,
    // Service.Lock closes the wallet itself (kwalletd5 answers with no prompt).
    lock: () => withControl(bus.address, (control) => control.lock(target())),
    // What a login does again: pamOpen, then the Secret Service's own Unlock.
    unlock: () =>
      withControl(bus.address, async (control) => {
        await pamOpen(control, key, log);
        await control.unlock(target());
      }),
  };
}
