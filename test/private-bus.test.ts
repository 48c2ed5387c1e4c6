// The pure parts of unlock's private bus: where it lives, how the door finds it
// (only when no other bus is named), its configuration, the install hint per distribution.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { busConfig, daemonEnv } from '../src/private-bus/daemons.js';
import { discoverPrivateBus } from '../src/private-bus/discover.js';
import { installCommand } from '../src/private-bus/install-hint.js';
import { describeKeyringState } from '../src/private-bus/report.js';
import { busLocation, stateBusLocation } from '../src/private-bus/location.js';

describe('bus location', () => {
  it('is $XDG_RUNTIME_DIR/git-credential-pat/bus, else a folder under the state directory', () => {
    expect(busLocation({ XDG_RUNTIME_DIR: '/run/user/1000', HOME: '/home/me' })).toEqual({ dir: '/run/user/1000/git-credential-pat', socket: '/run/user/1000/git-credential-pat/bus' });
    expect(busLocation({ HOME: '/home/me' }).socket).toBe('/home/me/.local/state/git-credential-pat/run/bus');
    expect(busLocation({ HOME: '/home/me', XDG_STATE_HOME: '/s' }).socket).toBe('/s/git-credential-pat/run/bus');
    expect(stateBusLocation({ XDG_RUNTIME_DIR: '/run/user/1000', HOME: '/home/me' }).socket).toBe('/home/me/.local/state/git-credential-pat/run/bus');
  });
});

describe('discoverPrivateBus', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  async function listening(): Promise<{ runtime: string; socket: string }> {
    const runtime = mkdtempSync(join(tmpdir(), 'gcp-disc-'));
    const { dir, socket } = busLocation({ XDG_RUNTIME_DIR: runtime });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { mode: 0o700 });
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    cleanups.push(() => {
      server.close();
      rmSync(runtime, { recursive: true, force: true });
    });
    return { runtime, socket };
  }

  it('no session bus named and the socket exists: points the environment at it', async () => {
    const { runtime, socket } = await listening();
    const env: NodeJS.ProcessEnv = { XDG_RUNTIME_DIR: runtime };
    expect(discoverPrivateBus(env)).toBe(true);
    expect(env.DBUS_SESSION_BUS_ADDRESS).toBe(`unix:path=${socket}`);
  });

  it("the standard per-user bus named (systemd's, maybe without a Secret Service): ours wins", async () => {
    const { runtime, socket } = await listening();
    const env: NodeJS.ProcessEnv = { XDG_RUNTIME_DIR: runtime, DBUS_SESSION_BUS_ADDRESS: `unix:path=${runtime}/bus` };
    expect(discoverPrivateBus(env)).toBe(true);
    expect(env.DBUS_SESSION_BUS_ADDRESS).toBe(`unix:path=${socket}`);
  });

  it('any other bus named (a desktop, dbus-run-session, a test) is left alone', async () => {
    const { runtime } = await listening();
    const env: NodeJS.ProcessEnv = { XDG_RUNTIME_DIR: runtime, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/dbus-XYZ' };
    expect(discoverPrivateBus(env)).toBe(false);
    expect(env.DBUS_SESSION_BUS_ADDRESS).toBe('unix:path=/tmp/dbus-XYZ');
  });

  it('looks at no socket when another bus is named, and at the one it would use otherwise', () => {
    const paths: string[] = [];
    const trusted = (path: string) => {
      paths.push(path);
      return undefined;
    };
    discoverPrivateBus({ XDG_RUNTIME_DIR: '/run/user/5', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/dbus-desktop' }, trusted);
    expect(paths).toEqual([]);
    discoverPrivateBus({ XDG_RUNTIME_DIR: '/run/user/5', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/5/bus' }, trusted);
    expect(paths).toEqual(['/run/user/5/git-credential-pat/bus']);
    discoverPrivateBus({ HOME: '/home/me' }, trusted);
    expect(paths).toEqual(['/run/user/5/git-credential-pat/bus', '/home/me/.local/state/git-credential-pat/run/bus']);
  });

  it('no socket: nothing changes', () => {
    const runtime = mkdtempSync(join(tmpdir(), 'gcp-disc-'));
    cleanups.push(() => rmSync(runtime, { recursive: true, force: true }));
    const env: NodeJS.ProcessEnv = { XDG_RUNTIME_DIR: runtime };
    expect(discoverPrivateBus(env)).toBe(false);
    expect(env.DBUS_SESSION_BUS_ADDRESS).toBeUndefined();
  });
});

describe('the bus configuration', () => {
  it('listens on each socket, authenticates by uid only, starts no services', () => {
    const config = busConfig(['/run/user/1/git-credential-pat/bus', '/home/a&b/.local/state/git-credential-pat/run/bus']);
    expect(config).toContain('<listen>unix:path=/run/user/1/git-credential-pat/bus</listen>');
    expect(config).toContain('<listen>unix:path=/home/a&amp;b/.local/state/git-credential-pat/run/bus</listen>');
    expect(config).toContain('<auth>EXTERNAL</auth>');
    // dbus-daemon admits only its own uid unless told otherwise.
    expect(config).not.toMatch(/allow user|allow_anonymous|servicedir|tcp:/);
  });

  it("gives the daemons where the user's files are and nothing else", () => {
    const env = daemonEnv({ HOME: '/h', PATH: '/bin', GH_TOKEN: 'ghp_x', SECRET: 's', XDG_DATA_HOME: '/d', DISPLAY: ':0' }, 'unix:path=/b');
    expect(env).toEqual({ HOME: '/h', PATH: '/bin', XDG_DATA_HOME: '/d', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/b' });
  });
});

describe('installCommand', () => {
  const os = (id: string, like = '') => `NAME="X"\nID=${id}\n${like ? `ID_LIKE="${like}"\n` : ''}`;
  it('names the package manager and packages of each distribution family', () => {
    expect(installCommand(os('debian'))).toBe('sudo apt-get install --no-install-recommends gnome-keyring dbus');
    expect(installCommand(os('ubuntu', 'debian'))).toBe('sudo apt-get install --no-install-recommends gnome-keyring dbus');
    expect(installCommand(os('"fedora"'))).toBe('sudo dnf install gnome-keyring dbus-daemon dbus-tools');
    expect(installCommand(os('rocky', 'rhel centos fedora'))).toBe('sudo dnf install gnome-keyring dbus-daemon dbus-tools');
    expect(installCommand(os('arch'))).toBe('sudo pacman -S gnome-keyring dbus');
    expect(installCommand(os('opensuse-tumbleweed', 'opensuse suse'))).toBe('sudo zypper install gnome-keyring dbus-1');
    expect(installCommand(os('alpine'))).toBe('sudo apk add gnome-keyring dbus');
    expect(installCommand(os('somethingnew', 'debian'))).toBe('sudo apt-get install --no-install-recommends gnome-keyring dbus');
    expect(installCommand(os('nixos'))).toBe('install gnome-keyring and dbus with your package manager');
    expect(installCommand(undefined)).toBe('install gnome-keyring and dbus with your package manager');
  });
});

describe("doctor's Secret Service report", () => {
  it('names each state and the next step', () => {
    expect(describeKeyringState({ kind: 'desktop', address: 'unix:path=/x', pid: 7 })).toEqual({ check: 'secret-service', level: 'ok', message: 'a Secret Service answers on your session bus (PID 7)' });
    expect(describeKeyringState({ kind: 'unlocked', socket: '/r/bus', pid: 8, busPid: 9 })).toEqual({ check: 'secret-service', level: 'ok', message: 'your private Secret Service from unlock is unlocked (PID 8, socket /r/bus)' });
    expect(describeKeyringState({ kind: 'locked', socket: '/r/bus', pid: 8 })).toMatchObject({ level: 'problem', message: expect.stringMatching(/locked/), fix: 'git-credential-pat unlock (once per boot)' });
    expect(describeKeyringState({ kind: 'none', socket: '/r/bus' })).toMatchObject({ level: 'problem', fix: 'git-credential-pat unlock (once per boot)' });
  });
});
