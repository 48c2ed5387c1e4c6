// Each platform's branch of the OS seams, run here with the platform passed in; and
// the things Linux can prove for real (a URL with '&' reaches the opener whole).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abandonSignal, browserCommand, onPath, terminalDevices } from '../src/platform.js';
import { openInBrowser } from '../src/terminal.js';

describe('terminal devices', () => {
  it('is /dev/tty on Linux and macOS, and the console CONIN$/CONOUT$ on Windows', () => {
    expect(terminalDevices('linux')).toEqual({ input: '/dev/tty', output: '/dev/tty' });
    expect(terminalDevices('darwin')).toEqual({ input: '/dev/tty', output: '/dev/tty' });
    expect(terminalDevices('win32')).toEqual({ input: 'CONIN$', output: 'CONOUT$' });
  });
});

describe('the signal that ends the process after an abandoned keychain call', () => {
  it('is SIGPIPE on POSIX and one Node supports on Windows', () => {
    expect(abandonSignal('linux')).toBe('SIGPIPE');
    expect(abandonSignal('darwin')).toBe('SIGPIPE');
    expect(abandonSignal('win32')).toBe('SIGKILL');
    // Node on Windows emulates only these (process.kill docs); anything else throws there.
    expect(['SIGINT', 'SIGTERM', 'SIGKILL', 'SIGQUIT']).toContain(abandonSignal('win32'));
  });
});

describe('opening a URL', () => {
  it('names a program per OS, never a shell, and nothing on a headless Linux', () => {
    expect(browserCommand({}, 'darwin')).toEqual(['open']);
    expect(browserCommand({}, 'win32')).toEqual(['rundll32', 'url.dll,FileProtocolHandler']);
    expect(browserCommand({ DISPLAY: ':0' }, 'linux')).toEqual(['xdg-open']);
    expect(browserCommand({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toEqual(['xdg-open']);
    expect(browserCommand({}, 'linux')).toBeUndefined();
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      for (const program of browserCommand({ DISPLAY: ':0' }, platform) ?? []) expect(program).not.toMatch(/^(cmd|sh|bash|powershell)(\.exe)?$/i);
    }
  });

  it("hands the URL to the program as one argument: '&', ';' and quotes arrive whole", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcp-open-'));
    const log = join(dir, 'argv.json');
    const opener = join(dir, 'opener.cjs');
    writeFileSync(opener, `require('fs').writeFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)));\n`);
    const url = "https://github.com/settings/tokens/new?scopes=repo,workflow&description=a%20b;echo pwned'\"";
    openInBrowser([process.execPath, opener, 'first'], url);
    await expect.poll(() => { try { return JSON.parse(readFileSync(log, 'utf8')) as string[]; } catch { return undefined; } }, { timeout: 10_000 }).toEqual(['first', url]);
  });
});

describe('onPath: what git would run', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'gcp-path-'));

  it('POSIX: an executable file, not a plain one', () => {
    const bin = dir();
    writeFileSync(join(bin, 'git-credential-pat'), '#!/bin/sh\n');
    expect(onPath('git-credential-pat', { PATH: `/nonexistent:${bin}` }, 'linux')).toBe(false);
    chmodSync(join(bin, 'git-credential-pat'), 0o755);
    expect(onPath('git-credential-pat', { PATH: `/nonexistent:${bin}` }, 'linux')).toBe(true);
    expect(onPath('git-credential-pat', { PATH: '' }, 'darwin')).toBe(false);
  });

  it("git for Windows: .exe, or an extensionless '#!' script (npm's sh shim); never .cmd alone", () => {
    const cmdOnly = dir();
    writeFileSync(join(cmdOnly, 'git-credential-pat.cmd'), '@ECHO off\r\nnode "%~dp0\\git-credential-pat.cjs" %*\r\n');
    expect(onPath('git-credential-pat', { Path: `C:\\nowhere;${cmdOnly}` }, 'win32')).toBe(false);

    const notAScript = dir();
    writeFileSync(join(notAScript, 'git-credential-pat'), 'MZ binary without an extension');
    expect(onPath('git-credential-pat', { PATH: notAScript }, 'win32')).toBe(false);

    const shim = dir();
    writeFileSync(join(shim, 'git-credential-pat'), '#!/bin/sh\nexec node "$basedir/node_modules/git-credential-pat/bin/git-credential-pat.cjs" "$@"\n');
    writeFileSync(join(shim, 'git-credential-pat.cmd'), '@ECHO off\r\n');
    // Windows' variable is `Path`; Node on Windows hands it over as the system spells it.
    expect(onPath('git-credential-pat', { Path: `${cmdOnly};${shim}` }, 'win32')).toBe(true);

    const exe = dir();
    writeFileSync(join(exe, 'git-credential-pat.exe'), 'MZ');
    expect(onPath('git-credential-pat', { PATH: exe }, 'win32')).toBe(true);
  });

  it('agrees with the real git here: git runs what onPath finds', () => {
    const bin = dir();
    writeFileSync(join(bin, 'git-credential-pat'), '#!/bin/sh\necho found-by-git\n');
    chmodSync(join(bin, 'git-credential-pat'), 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    expect(onPath('git-credential-pat', env, process.platform)).toBe(true);
    expect(spawnSync('git', ['credential-pat'], { env, encoding: 'utf8' }).stdout).toBe('found-by-git\n');
  });
});
