// The Secret Service providers of issue 20's matrix, each started for real and
// headless in a throwaway folder of its own (HOME, XDG_*, a private bus): gnome-keyring
// (through `git-credential-pat unlock`, as people without a desktop run it),
// KeePassXC and KWallet (kwalletd5), in the modes the matrix needs. Shared by the
// tests (test/support/providers.ts) and `scripts/with-keyring --provider`
// (scripts/keyring-provider.ts), so it imports nothing of vitest. Everything started
// is stopped and the folder deleted by stop(); a process that dies anyway takes the
// daemons along.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGnomeKeyring } from './gnome-keyring.js';
import { startKeePassXC, type KeePassXCMode } from './keepassxc.js';
import { qcaPluginDir, startKWallet, type KWalletMode } from './kwallet.js';
import { startSessionBus, withControl, type Control, type Daemon, type SessionBus } from './session-bus.js';
import { mustRun, providerHome, type ProviderHome } from './tools.js';

export type ProviderName = 'gnome-keyring' | 'keepassxc' | 'kwallet';
export const PROVIDERS: readonly ProviderName[] = ['gnome-keyring', 'keepassxc', 'kwallet'];

export type ProviderMode =
  | { readonly name: 'gnome-keyring' }
  | ({ readonly name: 'keepassxc' } & KeePassXCMode)
  | ({ readonly name: 'kwallet' } & KWalletMode);

/** What a helper, git or a look inside needs to reach the provider. */
export type ProviderEnv = ProviderHome & { readonly DBUS_SESSION_BUS_ADDRESS: string };

export interface Provider {
  readonly mode: ProviderMode;
  /** e.g. "KeePassXC 2.7.4+dfsg.1-2 (access confirmation on)" */
  readonly label: string;
  readonly env: ProviderEnv;
  /** The default collection; undefined where there is none (no exposed group, no wallet). */
  readonly collection: string | undefined;
  /** KeePassXC's open .kdbx file; undefined for the other providers. */
  readonly database: string | undefined;
  /** Wall time from nothing to an unlocked default collection. */
  readonly startMs: number;
  /** One D-Bus connection to the provider for the callback (tests look inside with it). */
  control<T>(use: (control: Control) => Promise<T>): Promise<T>;
  lock(): Promise<void>;
  unlock(): Promise<void>;
  /** Why the provider is gone (a daemon of ours exited, with its log's end), or undefined while it runs. */
  died(): string | undefined;
  stop(): Promise<void>;
}

const PACKAGES: Record<ProviderName, string> = { 'gnome-keyring': 'gnome-keyring', keepassxc: 'keepassxc', kwallet: 'libkf5wallet-bin' };

export function packageVersion(name: ProviderName): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${Version}', PACKAGES[name]], { encoding: 'utf8' }).trim();
  } catch {
    return 'not installed';
  }
}

export function describeMode(mode: ProviderMode): string {
  const notes: string[] = [];
  if (mode.name === 'keepassxc') {
    notes.push(`access confirmation ${mode.confirmAccess ? 'on' : 'off'}`);
    if (mode.confirmDelete) notes.push('delete confirmation on');
    if (mode.exposeGroup === false) notes.push('no exposed group');
    if (mode.unlockBeforeSearch === false) notes.push('unlock before search off');
  }
  if (mode.name === 'kwallet') {
    if (mode.wallet === false) notes.push('no wallet yet');
    if (mode.qcaPlugins === false) notes.push('without the qca plugins');
    if (mode.secretServiceApi === false) notes.push('Secret Service API off');
  }
  const title = { 'gnome-keyring': 'gnome-keyring', keepassxc: 'KeePassXC', kwallet: 'KWallet (kwalletd5)' }[mode.name];
  return `${title} ${packageVersion(mode.name)}${notes.length ? ` (${notes.join(', ')})` : ''}`;
}

/** Each provider's programs, and the Debian package that brings them (.ci/run installs them). */
const NEEDS: Record<ProviderName, Array<[command: string, pkg: string]>> = {
  'gnome-keyring': [['gnome-keyring-daemon', 'gnome-keyring'], ['dbus-daemon', 'dbus']],
  keepassxc: [['keepassxc', 'keepassxc'], ['keepassxc-cli', 'keepassxc'], ['dbus-daemon', 'dbus']],
  kwallet: [['kwalletd5', 'libkf5wallet-bin'], ['dbus-daemon', 'dbus']],
};

function missingPackages(mode: ProviderMode): string[] {
  const needs = [...NEEDS[mode.name]];
  if (mode.name === 'kwallet') needs.push(['unshare', 'util-linux'], ['mount', 'mount']);
  const path = (process.env.PATH ?? '/usr/bin:/bin').split(':');
  return [...new Set(needs.filter(([command]) => !path.some((dir) => dir && existsSync(join(dir, command)))).map(([, pkg]) => pkg))];
}

// A test worker that ends mid-file must not leave daemons behind: ours are its
// children (and die with it, see Daemon.start); unlock's gnome-keyring is detached by
// design, so its PIDs are kept here.
const live = new Set<Daemon>();
const detached = new Set<number>();
process.once('exit', () => {
  for (const daemon of live) if (daemon.running) daemon.child.kill('SIGKILL');
  for (const pid of detached) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

/** The build under test (a bundle of this module passes its own). */
const HELPER = fileURLToPath(new URL('../../../bin/git-credential-pat.cjs', import.meta.url));

export async function startProvider(mode: ProviderMode, options: { readonly helper?: string } = {}): Promise<Provider> {
  const helper = options.helper ?? HELPER;
  const missing = missingPackages(mode);
  if (mode.name === 'kwallet') {
    // Without them every KWallet row would be the no-plugins case.
    try {
      qcaPluginDir();
    } catch {
      missing.push('libqca-qt5-2-plugins');
    }
  }
  if (missing.length) {
    throw new Error(`${describeMode(mode)} cannot start: not installed; apt-get install --no-install-recommends ${missing.join(' ')}`);
  }
  const started = performance.now();
  const root = mkdtempSync(join(tmpdir(), `gcp-${mode.name}-`));
  const home = providerHome(root);
  const label = describeMode(mode);
  let bus: SessionBus | undefined;
  const daemons: Array<() => Daemon> = [];
  const stopAll = async () => {
    for (const daemon of [...daemons].reverse()) {
      await daemon().stop();
      live.delete(daemon());
    }
    if (bus) {
      await bus.stop();
      live.delete(bus.daemon);
    }
  };
  try {
    let address: string;
    let collection: string | undefined;
    let database: string | undefined;
    let lock: () => Promise<void>;
    let unlock: () => Promise<void>;
    let stopProvider = stopAll;
    if (mode.name === 'gnome-keyring') {
      const keyring = await startGnomeKeyring(home, helper);
      ({ address, collection } = keyring);
      const track = async () => {
        for (const pid of await keyring.pids()) detached.add(pid);
      };
      await track();
      lock = keyring.lock;
      // unlock starts a new gnome-keyring-daemon.
      unlock = async () => {
        await keyring.unlock();
        await track();
      };
      stopProvider = async () => {
        const pids = await keyring.pids().catch(() => []);
        await keyring.stop();
        for (const pid of pids) detached.delete(pid);
      };
    } else {
      bus = await startSessionBus(root, { PATH: process.env.PATH, ...home });
      live.add(bus.daemon);
      address = bus.address;
      if (mode.name === 'keepassxc') {
        const keepassxc = await startKeePassXC(root, home, bus, mode);
        daemons.push(() => keepassxc.daemon);
        live.add(keepassxc.daemon);
        ({ collection, database, lock, unlock } = keepassxc);
      } else {
        const kwallet = await startKWallet(root, home, bus, mode);
        daemons.push(kwallet.daemon);
        live.add(kwallet.daemon());
        ({ collection, lock, unlock } = kwallet);
      }
    }
    const env: ProviderEnv = { ...home, DBUS_SESSION_BUS_ADDRESS: address };
    let stopped = false;
    return {
      mode,
      label,
      env,
      collection,
      database,
      startMs: performance.now() - started,
      control: (use) => withControl(address, use),
      lock,
      unlock,
      died: () => {
        for (const daemon of [...daemons.map((d) => d()), ...(bus ? [bus.daemon] : [])]) {
          if (!daemon.running) {
            const tail = daemon.log().trim().split('\n').slice(-20).join('\n');
            return `${daemon.name} exited (${daemon.child.exitCode ?? daemon.child.signalCode})${tail ? `; its log ends:\n${tail}` : ''}`;
          }
        }
        return undefined;
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        try {
          await stopProvider();
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await stopAll().catch(() => {});
    // A half-started private gnome-keyring: `lock` stops whatever `unlock` left.
    if (mode.name === 'gnome-keyring') await mustRun(process.execPath, [helper, 'lock'], { PATH: process.env.PATH, LANG: 'C', ...home }).catch(() => {});
    rmSync(root, { recursive: true, force: true });
    throw new Error(`${label} did not start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

