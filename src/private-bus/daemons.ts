// The private Secret Service of `unlock`: a D-Bus bus on a fixed per-user socket and
// gnome-keyring-daemon on it, both detached from the terminal (their own session,
// parented to init) so they outlive the SSH session. The keyring password reaches
// gnome-keyring-daemon through a pipe on its stdin, never argv or the environment.
import { execFile, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { osModule } from '../builtin.js';
import { dirname, join } from 'node:path';
import { acquireLock } from '../store/index-lock.js';
import { collectionLocked, DbusSendMissing, defaultCollectionLocked, nameHasOwner, ownerPid, ownerUid, SECRETS, type CollectionLock } from './bus-query.js';
import { installCommand } from './install-hint.js';
import { openableBusSocket } from '../store/dbus/address.js';
import { BusConnection } from '../store/dbus/connection.js';
import { identifyProvider, type ProviderKind, type ServiceWant } from '../store/secret-service-provider.js';
import { busAddress, busLocation, stateBusLocation, type BusLocation } from './location.js';
import { untrustedFolder } from './trusted-path.js';

/** What answers for this user, as `doctor` and `unlock` report it. */
export type KeyringState =
  | { readonly kind: 'desktop'; readonly address: string; readonly pid: number | undefined; readonly provider?: ProviderKind | undefined }
  /**
   * Another provider (KeePassXC, KWallet...) owns the name on the session bus and does
   * not serve now (locked, or no default collection): only it can be unlocked, and
   * `unlock`'s gnome-keyring must not take its place.
   */
  | { readonly kind: 'provider'; readonly address: string; readonly provider: ProviderKind; readonly want: ServiceWant; readonly pid: number | undefined }
  | { readonly kind: 'unlocked'; readonly socket: string; readonly pid: number; readonly busPid: number | undefined }
  | { readonly kind: 'locked'; readonly socket: string; readonly pid: number | undefined }
  /** sessionLocked: a locked keyring owns the name on the session bus, and no one can unlock it from here. */
  | { readonly kind: 'none'; readonly socket: string; readonly sessionLocked?: boolean; readonly kwalletApiOff?: boolean };

/** A failure with a message for a person (missing package, wrong password...). */
export class PrivateKeyringError extends Error {
  override readonly name = 'PrivateKeyringError';
}

/**
 * The session bus a desktop (or systemd's user session) gives this process, when it
 * is not our own private bus.
 */
function sessionBus(env: NodeJS.ProcessEnv, ours: string): string | undefined {
  const named = env.DBUS_SESSION_BUS_ADDRESS;
  if (named) return named === ours ? undefined : named;
  const standard = env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'bus') : undefined;
  return standard && existsSync(standard) ? busAddress(standard) : undefined;
}

export async function inspectKeyring(env: NodeJS.ProcessEnv): Promise<KeyringState> {
  try {
    return await inspect(env);
  } catch (error) {
    throw error instanceof DbusSendMissing ? missing('dbus-send') : error;
  }
}

async function inspect(env: NodeJS.ProcessEnv): Promise<KeyringState> {
  const { socket } = busLocation(env);
  const ours = busAddress(socket);
  const session = sessionBus(env, ours);
  let sessionLocked = false;
  if (session && (await nameHasOwner(session, SECRETS, env))) {
    sessionLocked = true;
    // A locked one on a headless machine cannot prompt: that is what `unlock` is for.
    const locked = await defaultCollectionLocked(session, env);
    const provider = await providerAt(session);
    if (locked === false || env.DISPLAY || env.WAYLAND_DISPLAY) return { kind: 'desktop', address: session, pid: await ownerPid(session, SECRETS, env), provider };
    if (provider === 'keepassxc' || provider === 'kwallet') {
      return { kind: 'provider', address: session, provider, want: locked === undefined ? 'no-collection' : 'locked', pid: await ownerPid(session, SECRETS, env) };
    }
  }
  // Nobody serves on the session bus, but KWallet runs there: its Secret Service API is off.
  const kwalletApiOff = !sessionLocked && session !== undefined && (await kwalletOn(session, env));
  if (!existsSync(socket)) return { kind: 'none', socket, sessionLocked, kwalletApiOff };
  const problem = socketProblem(socket);
  if (problem) throw untrusted(problem);
  const owned = await nameHasOwner(ours, SECRETS, env);
  if (owned === undefined) return { kind: 'none', socket, sessionLocked, kwalletApiOff };
  // The files say only we (or root) made the socket; the bus says who serves on it.
  const uid = process.getuid?.();
  for (const name of owned ? ['org.freedesktop.DBus', SECRETS] : ['org.freedesktop.DBus']) {
    const runBy = uid === undefined ? undefined : await ownerUid(ours, name, env);
    if (runBy !== undefined && runBy !== uid) throw untrusted(`${name === SECRETS ? 'its Secret Service' : 'the bus on it'} runs as uid ${runBy}, not as you`);
  }
  const pid = owned ? await ownerPid(ours, SECRETS, env) : undefined;
  if (owned && pid !== undefined && (await defaultCollectionLocked(ours, env)) === false) {
    return { kind: 'unlocked', socket, pid, busPid: await ownerPid(ours, 'org.freedesktop.DBus', env) };
  }
  return { kind: 'locked', socket, pid };
}

async function kwalletOn(address: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  for (const name of ['org.kde.kwalletd5', 'org.kde.kwalletd6']) if (await nameHasOwner(address, name, env)) return true;
  return false;
}

/** Who owns the Secret Service name on this bus, asked with our own client; undefined when it cannot be told. */
async function providerAt(address: string): Promise<ProviderKind | undefined> {
  const socket = openableBusSocket(address);
  if (!socket) return undefined;
  const bus = BusConnection.open(socket);
  try {
    return await Promise.race([
      identifyProvider(bus, (pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'latin1');
        } catch {
          return undefined;
        }
      }),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5000).unref()),
    ]);
  } catch {
    return undefined;
  } finally {
    bus.close();
  }
}

/** The folder of the user's keyrings, as gnome-keyring finds it. */
export function keyringsDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_DATA_HOME || join(env.HOME || osModule().homedir(), '.local', 'share'), 'keyrings');
}

export function loginKeyringFile(env: NodeJS.ProcessEnv): string {
  return join(keyringsDir(env), 'login.keyring');
}

/** gnome-keyring names a collection's object after its keyring file. */
const LOGIN_COLLECTION = '/org/freedesktop/secrets/collection/login';

/**
 * How long a started gnome-keyring-daemon may take to appear on the bus and load (or
 * create) the login keyring, both together. An unlock is once per boot; giving up
 * early costs a person a retry.
 */
const KEYRING_OPEN_WAIT_MS = 15_000;

/**
 * What the daemons get: where the user's files are, and nothing else. A token or a
 * secret in the caller's environment (GH_TOKEN...) must not live on in them.
 */
export function daemonEnv(env: NodeJS.ProcessEnv, address?: string): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME', 'XDG_RUNTIME_DIR'];
  const out: NodeJS.ProcessEnv = {};
  for (const name of keep) if (env[name]) out[name] = env[name];
  if (address) out.DBUS_SESSION_BUS_ADDRESS = address;
  return out;
}

/**
 * A 0700 folder owned by us, under folders only we or root can change; refuses one
 * that is not (another user could swap the socket, or the folder that holds it).
 */
function ownFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = lstatSync(dir);
  const uid = process.getuid?.();
  if (!info.isDirectory() || (uid !== undefined && info.uid !== uid) || (info.mode & 0o077) !== 0) {
    throw new PrivateKeyringError(`${dir} must be a folder of yours with mode 0700 (it holds the keyring's bus socket); fix or remove it and run unlock again`);
  }
  const problem = uid === undefined ? undefined : untrustedFolder(realpathSync(dir), uid);
  if (problem) throw new PrivateKeyringError(`${dir} cannot hold the keyring's bus socket: ${problem}, so another user could swap it; use a runtime folder of your own (XDG_RUNTIME_DIR, mode 0700) and run unlock again`);
}

/** Why the socket there could be another user's, or undefined (none there, or only we could have made it). */
function socketProblem(socket: string): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  let real: string;
  try {
    real = realpathSync(socket);
  } catch {
    return undefined;
  }
  const info = lstatSync(real);
  if (!info.isSocket()) return `${socket} is not a socket`;
  if (info.uid !== uid) return `${socket} belongs to another user (uid ${info.uid})`;
  return untrustedFolder(dirname(real), uid);
}

function untrusted(problem: string): PrivateKeyringError {
  return new PrivateKeyringError(`the private Secret Service's socket is not trusted: ${problem}; another user could have put it there. Nothing was used or changed; remove it, and keep XDG_RUNTIME_DIR a folder of your own`);
}

/**
 * Held while unlock starts (or lock stops) the daemons: two unlocks at once each
 * started a bus, and the one whose socket was replaced ran on where lock could not
 * see it. Taken after the password is read, so a person typing holds nobody up.
 */
export function holdDaemonsLock(env: NodeJS.ProcessEnv, create: boolean): () => void {
  const { dir } = busLocation(env);
  if (create) ownFolder(dir);
  else if (socketProblem(join(dir, 'bus')) !== undefined || !existsSync(dir)) return () => undefined;
  return acquireLock(join(dir, 'daemons.lock'));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// A session bus's limits (as /usr/share/dbus-1/session.conf sets them): dbus-daemon's
// built-in ones are a system bus's (64 connections authenticating at once, 5 s to
// authenticate), which a burst of parallel git helpers on a busy machine exceeds.
const SESSION_LIMITS = [
  ['max_incoming_bytes', 1_000_000_000],
  ['max_outgoing_bytes', 1_000_000_000],
  ['max_message_size', 1_000_000_000],
  ['auth_timeout', 240_000],
  ['pending_fd_timeout', 150_000],
  ['max_completed_connections', 100_000],
  ['max_incomplete_connections', 10_000],
  ['max_connections_per_user', 100_000],
  ['max_names_per_connection', 50_000],
  ['max_match_rules_per_connection', 50_000],
  ['max_replies_per_connection', 50_000],
]
  .map(([name, value]) => `  <limit name="${name}">${value}</limit>`)
  .join('\n');

/**
 * The bus: EXTERNAL authentication and no <allow user>, so dbus-daemon admits only
 * the uid it runs as; no service directories, so nothing is ever started on it.
 */
export function busConfig(sockets: readonly string[]): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
${sockets.map((s) => `  <listen>unix:path=${escapeXml(s)}</listen>\n`).join('')}  <auth>EXTERNAL</auth>
${SESSION_LIMITS}
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;
}

function locations(env: NodeJS.ProcessEnv): BusLocation[] {
  const primary = busLocation(env);
  const fallback = stateBusLocation(env);
  return fallback.socket === primary.socket ? [primary] : [primary, fallback];
}

function missing(tool: string): PrivateKeyringError {
  let osRelease: string | undefined;
  try {
    osRelease = readFileSync('/etc/os-release', 'utf8');
  } catch {
    osRelease = undefined;
  }
  return new PrivateKeyringError(`${tool} is not installed; install it: ${installCommand(osRelease)}`);
}

/** Starts the bus detached; resolves with its PID. */
function startBus(env: NodeJS.ProcessEnv): Promise<number> {
  const all = locations(env);
  for (const { dir, socket } of all) {
    ownFolder(dir);
    // A socket left by a bus that died: dbus-daemon would replace it anyway; say so by removing it.
    rmSync(socket, { force: true });
  }
  const config = join(all[0]!.dir, 'bus.conf');
  writeFileSync(config, busConfig(all.map((l) => l.socket)), { mode: 0o600 });
  return new Promise((resolve, reject) => {
    // --fork: dbus-daemon forks, calls setsid and points its stdio at /dev/null.
    execFile('dbus-daemon', [`--config-file=${config}`, '--fork', '--print-pid=1', '--nosyslog'], { env: daemonEnv(env), timeout: 10_000 }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') return reject(missing('dbus-daemon'));
      const pid = Number(stdout.trim());
      if (error || !Number.isInteger(pid) || pid <= 0) return reject(new PrivateKeyringError(`dbus-daemon did not start: ${(stderr || error?.message || '').trim().split('\n', 1)[0]}`));
      resolve(pid);
    });
  });
}

/** gnome-keyring-daemon --unlock on our bus, the password on its stdin; it daemonizes itself. */
function startKeyring(env: NodeJS.ProcessEnv, address: string, password: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('gnome-keyring-daemon', ['--unlock', '--daemonize', '--components=secrets'], {
      env: daemonEnv(env, address),
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    child.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? missing('gnome-keyring-daemon') : error));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new PrivateKeyringError(`gnome-keyring-daemon failed to start (exit ${code})`))));
    child.stdin.on('error', () => {
      // It exited before reading: the exit handler says why.
    });
    child.stdin.end(password);
  });
}

async function waitFor<T>(probe: () => Promise<T | undefined>, ms: number): Promise<T | undefined> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A zombie counts as gone: the daemons are parented to init, which may be slow to reap (containers). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return true;
  }
}

type Daemon = 'bus' | 'keyring';

/**
 * Whether PID, as a bus reported it, is in this process's PID namespace the daemon we
 * mean: the bus started with our configuration file, or a keyring daemon started on our
 * bus. A bus reports PIDs in its own namespace; signalled in another (a container or
 * sandbox sharing HOME or XDG_RUNTIME_DIR), the same number is a bystander.
 */
function isOurDaemon(pid: number, daemon: Daemon, env: NodeJS.ProcessEnv): boolean {
  try {
    if (readlinkSync(`/proc/${pid}/ns/pid`) !== readlinkSync('/proc/self/ns/pid')) return false;
    if (daemon === 'bus') return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(`--config-file=${busConfigFile(env)}`);
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`DBUS_SESSION_BUS_ADDRESS=${busAddress(busLocation(env).socket)}`);
  } catch {
    return false;
  }
}

async function stopPid(pid: number | undefined, daemon: Daemon, env: NodeJS.ProcessEnv): Promise<void> {
  if (pid === undefined || !alive(pid)) return;
  if (!isOurDaemon(pid, daemon, env)) throw notOurs(pid, daemon);
  process.kill(pid, 'SIGTERM');
  if ((await waitFor(async () => (alive(pid) ? undefined : true), 3000)) === undefined && isOurDaemon(pid, daemon, env)) process.kill(pid, 'SIGKILL');
}

function notOurs(pid: number, daemon: Daemon): PrivateKeyringError {
  return new PrivateKeyringError(
    `the private ${daemon === 'bus' ? 'bus' : 'Secret Service'} names PID ${pid}, which here is not that daemon: it runs in another PID namespace (a container or sandbox sharing your home?). Nothing was stopped; run this where unlock ran`,
  );
}

function busConfigFile(env: NodeJS.ProcessEnv): string {
  return join(busLocation(env).dir, 'bus.conf');
}

/**
 * Starts (or restarts, when our bus runs with a locked keyring) the private Secret
 * Service and unlocks the login keyring, creating it on first use. A wrong password
 * stops everything it started and leaves the keyring file as it was.
 */
export async function startPrivateKeyring(env: NodeJS.ProcessEnv, password: Uint8Array, state: KeyringState): Promise<{ socket: string; pid: number }> {
  const { socket } = busLocation(env);
  const address = busAddress(socket);
  let busPid: number | undefined;
  if (state.kind === 'locked') {
    await stopPid(state.pid, 'keyring', env);
    busPid = await ownerPid(address, 'org.freedesktop.DBus', env);
  } else {
    busPid = await startBus(env);
  }
  try {
    await startKeyring(env, address, password);
    const until = Date.now() + KEYRING_OPEN_WAIT_MS;
    const pid = await waitFor(async () => ((await nameHasOwner(address, SECRETS, env)) ? ownerPid(address, SECRETS, env) : undefined), until - Date.now());
    if (pid === undefined) throw new PrivateKeyringError(`gnome-keyring-daemon started but did not appear on the bus within ${KEYRING_OPEN_WAIT_MS / 1000} s`);
    // The daemon owns its name before the login keyring is loaded: until then the
    // collection answers nothing (seen in CI runs, once read as a wrong password, once
    // past a 5 s wait). Only Locked = true says the password is wrong. The login
    // collection, not the default alias: --unlock unlocks login, whichever keyring a
    // person made their default.
    let last: CollectionLock | undefined;
    const locked = await waitFor(async () => (last = await collectionLocked(address, LOGIN_COLLECTION, env)).locked, until - Date.now());
    if (locked === undefined) {
      const said = last && last.locked === undefined ? `: ${last.said}` : '';
      throw new PrivateKeyringError(`gnome-keyring-daemon started but did not open ${loginKeyringFile(env)} within ${KEYRING_OPEN_WAIT_MS / 1000} s${said}`);
    }
    if (locked) throw new PrivateKeyringError(`wrong password: it does not unlock ${loginKeyringFile(env)}; nothing was changed`);
    return { socket, pid };
  } catch (error) {
    await stopAll(env, busPid);
    throw error;
  }
}

async function stopAll(env: NodeJS.ProcessEnv, busPid: number | undefined): Promise<void> {
  const address = busAddress(busLocation(env).socket);
  const keyringPid = await ownerPid(address, SECRETS, env);
  // Both proven before either is signalled: half a stop would leave a keyring daemon unlocked with no bus to find it by.
  for (const [pid, daemon] of [[keyringPid, 'keyring'], [busPid, 'bus']] as const) if (pid !== undefined && alive(pid) && !isOurDaemon(pid, daemon, env)) throw notOurs(pid, daemon);
  await stopPid(keyringPid, 'keyring', env);
  await stopPid(busPid, 'bus', env);
  // The socket is how anyone finds them: it goes only once nothing answers on it.
  if ((await nameHasOwner(address, 'org.freedesktop.DBus', env)) !== undefined) {
    throw new PrivateKeyringError(`the private bus on ${busLocation(env).socket} still answers after its daemons were stopped; nothing was removed`);
  }
  for (const { dir, socket } of locations(env)) {
    rmSync(socket, { force: true });
    rmSync(join(dir, 'bus.conf'), { force: true });
  }
}

/** Stops what `unlock` started; reports the PIDs it stopped. */
export async function stopPrivateKeyring(env: NodeJS.ProcessEnv): Promise<{ keyringPid: number | undefined; busPid: number | undefined }> {
  const address = busAddress(busLocation(env).socket);
  const keyringPid = await ownerPid(address, SECRETS, env);
  const busPid = await ownerPid(address, 'org.freedesktop.DBus', env);
  await stopAll(env, busPid);
  return { keyringPid, busPid };
}

/** Whether the socket file is there (a bus may or may not answer on it). */
export function socketPresent(env: NodeJS.ProcessEnv): boolean {
  return statSync(busLocation(env).socket, { throwIfNoEntry: false }) !== undefined;
}
