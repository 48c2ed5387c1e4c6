// KeePassXC (2.7.4 on Debian 12) as a Secret Service, headless, as issue 20 measured
// it: a database made with keepassxc-cli, its root group exposed to the Secret
// Service through the FDO_SECRETS_EXPOSED_GROUP custom data (export to XML, add it to
// <Meta>, import), keepassxc.ini settings, then `keepassxc --pw-stdin DB` on the
// offscreen Qt platform. The database password only ever travels through pipes
// (keepassxc-cli's and keepassxc's stdin) and a D-Bus message (openDatabase).
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Daemon, stopOnFailure, waitFor, withControl, type SessionBus } from './session-bus.js';
import { daemonEnv, mustRun, type ProviderHome } from './tools.js';

export interface KeePassXCMode {
  /** FdoSecrets/ConfirmAccessItem: KeePassXC's default is on (a dialog per new client). Off unless asked. */
  readonly confirmAccess?: boolean;
  /** Whether the database exposes a group (a new database exposes none). On unless asked. */
  readonly exposeGroup?: boolean;
  /** FdoSecrets/ConfirmDeleteItem: KeePassXC's default is on (Item.Delete's prompt asks a person). Off unless asked. */
  readonly confirmDelete?: boolean;
  /** FdoSecrets/UnlockBeforeSearch: KeePassXC's default is on (a search of a locked database opens the unlock dialog). */
  readonly unlockBeforeSearch?: boolean;
}

export interface KeePassXCInstance {
  readonly daemon: Daemon;
  /** The .kdbx file it has open, which it saves 150 ms after each change (AutoSaveAfterEveryChange, on by default). */
  readonly database: string;
  /** The collection of the exposed group; undefined when none is exposed. */
  readonly collection: string | undefined;
  lock(): Promise<void>;
  unlock(): Promise<void>;
}

const MAIN_WINDOW = { destination: 'org.keepassxc.KeePassXC.MainWindow', path: '/keepassxc', interface: 'org.keepassxc.KeePassXC.MainWindow' } as const;

export function keepassxcSettings(mode: KeePassXCMode): string {
  return [
    '[General]',
    'ConfigVersion=2',
    // Several test providers run at once: each must be its own instance, not a second window of another.
    'SingleInstance=false',
    'RememberLastDatabases=false',
    '',
    '[GUI]',
    'CheckForUpdates=false',
    '',
    '[FdoSecrets]',
    'Enabled=true',
    'ShowNotification=false',
    `ConfirmAccessItem=${mode.confirmAccess === true}`,
    // On, Item.Delete answers with a prompt that asks a person each time.
    `ConfirmDeleteItem=${mode.confirmDelete === true}`,
    `UnlockBeforeSearch=${mode.unlockBeforeSearch !== false}`,
    '',
  ].join('\n');
}

/** The root group's UUID as QUuid writes it ({8-4-4-4-12}), from the XML's base64. */
function rootGroupUuid(xml: string): string {
  const base64 = /<Root>\s*<Group>\s*<UUID>([^<]+)<\/UUID>/.exec(xml)?.[1];
  if (!base64) throw new Error('the exported database has no root group UUID');
  const hex = Buffer.from(base64, 'base64').toString('hex');
  if (hex.length !== 32) throw new Error(`the root group UUID is not 16 bytes: ${base64}`);
  return `{${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}}`;
}

export async function createDatabase(dir: string, env: NodeJS.ProcessEnv, password: string, exposeGroup: boolean): Promise<string> {
  const work = join(dir, 'kdbx-work');
  mkdirSync(work, { recursive: true });
  const first = join(work, 'new.kdbx');
  const xmlFile = join(work, 'export.xml');
  const database = join(dir, 'Passwords.kdbx');
  const twice = `${password}\n${password}\n`;
  // A short key derivation: every open (import, start, unlock) pays it, on two cores.
  await mustRun('keepassxc-cli', ['db-create', '--quiet', '--set-password', '--decryption-time', '100', first], env, twice);
  let xml = await mustRun('keepassxc-cli', ['export', '--quiet', '--format', 'xml', first], env, `${password}\n`);
  if (exposeGroup) {
    const custom = `<CustomData><Item><Key>FDO_SECRETS_EXPOSED_GROUP</Key><Value>${rootGroupUuid(xml)}</Value></Item></CustomData>`;
    if (!xml.includes('</Meta>')) throw new Error('the exported database has no <Meta>');
    xml = xml.replace('</Meta>', `${custom}</Meta>`);
  }
  writeFileSync(xmlFile, xml);
  await mustRun('keepassxc-cli', ['import', '--quiet', '--set-password', '--decryption-time', '100', xmlFile, database], env, twice);
  rmSync(work, { recursive: true, force: true });
  return database;
}

export async function startKeePassXC(dir: string, home: ProviderHome, bus: SessionBus, mode: KeePassXCMode): Promise<KeePassXCInstance> {
  const env = daemonEnv(home, bus.address);
  const password = randomBytes(18).toString('hex');
  const exposeGroup = mode.exposeGroup !== false;
  const database = await createDatabase(dir, env, password, exposeGroup);
  mkdirSync(join(home.XDG_CONFIG_HOME, 'keepassxc'), { recursive: true });
  writeFileSync(join(home.XDG_CONFIG_HOME, 'keepassxc', 'keepassxc.ini'), keepassxcSettings(mode));

  const daemon = Daemon.start('keepassxc', 'keepassxc', ['--pw-stdin', database], env, join(dir, 'keepassxc.log'), { stdin: 'pipe' });
  daemon.child.stdin?.on('error', () => {});
  daemon.child.stdin?.end(`${password}\n`);
  const alive = () => {
    if (!daemon.running) throw new Error(`keepassxc exited (${daemon.child.exitCode ?? daemon.child.signalCode})`);
  };
  const log = () => daemon.log();

  let collection: string | undefined;
  await stopOnFailure(daemon, () => withControl(bus.address, async (control) => {
    await waitFor('KeePassXC to own org.freedesktop.secrets', 20_000, async () => (alive(), (await control.nameHasOwner('org.freedesktop.secrets')) || undefined), log);
    if (exposeGroup) {
      collection = await waitFor("ReadAlias('default') to be an unlocked collection", 20_000, async () => {
        alive();
        const path = await control.readAlias();
        return path && !(await control.locked(path)) ? path : undefined;
      }, log);
    } else {
      // No group exposed: no collection will ever appear. The database is open once
      // the main window answers on the bus (its tab is open before the event loop runs).
      await waitFor('KeePassXC main window on the bus', 20_000, async () => (alive(), (await control.nameHasOwner(MAIN_WINDOW.destination)) || undefined), log);
    }
  }));

  return {
    daemon,
    database,
    collection,
    lock: () =>
      withControl(bus.address, async (control) => {
        if (!collection) throw new Error('this KeePassXC exposes no collection to lock');
        await control.lock(collection);
      }),
    unlock: () =>
      withControl(bus.address, async (control) => {
        if (!collection) throw new Error('this KeePassXC exposes no collection to unlock');
        const target = collection;
        // The D-Bus call of KeePassXC's own command line (`keepassxc --pw-stdin` on a
        // running instance): the password in a message, not in any argv.
        await control.call({ ...MAIN_WINDOW, member: 'openDatabase', signature: 'ss', body: [database, password] });
        await waitFor(`${target} to be unlocked`, 10_000, async () => ((await control.locked(target)) ? undefined : true), log);
      }),
  };
}


/** KeePassXC saves 150 ms after a change; a save of a test database takes milliseconds. */
const SAVE_LIMIT_MS = 5_000;

/** The database file's identity: an atomic save (QSaveFile, KeePassXC's default) renames a new file over it. */
export function savedState(database: string): string {
  const stat = statSync(database);
  return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
}

/**
 * Waits for the save a change caused (the file no longer `before`). KeePassXC 2.7.4
 * saves on a pooled thread while its main loop keeps serving D-Bus, and a write or a
 * lock during that save crashed it (docs/keychains.md); a lock during it also lost the
 * change. False if no save came within the limit.
 */
export async function savedSince(database: string, before: string): Promise<boolean> {
  const deadline = performance.now() + SAVE_LIMIT_MS;
  while (performance.now() < deadline) {
    if (savedState(database) !== before) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}
