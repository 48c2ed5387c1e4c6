// Per-OS decisions, each a small pure-ish function with the platform passed in, so
// every branch is unit-tested on this Linux machine (test/platform.test.ts). Callers
// pass process.platform; nothing else in src/ asks which OS it is on for these.
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The person's terminal, as git's own prompt opens it (compat/terminal.c): /dev/tty,
 * or the console's CONIN$ (keys) and CONOUT$ (screen) on Windows, where /dev/tty does
 * not exist. Opened read-write, as git does, so that a console's mode can be set.
 */
export function terminalDevices(platform: NodeJS.Platform): { readonly input: string; readonly output: string } {
  return platform === 'win32' ? { input: 'CONIN$', output: 'CONOUT$' } : { input: '/dev/tty', output: '/dev/tty' };
}

/**
 * The signal that ends the process at once when a keychain call was abandoned (see
 * src/exit.ts). SIGPIPE on POSIX: neither git nor the shell reports it. Windows has
 * no SIGPIPE (process.kill throws); SIGKILL there is TerminateProcess, which does not
 * wait for the thread pool either and which git for Windows reports no more than an exit code.
 */
export function abandonSignal(platform: NodeJS.Platform): NodeJS.Signals {
  return platform === 'win32' ? 'SIGKILL' : 'SIGPIPE';
}

/**
 * The program and leading arguments that open a URL, the URL then passed as one more
 * argument (never through a shell: cmd's `start` would split the URL at `&`).
 * Windows: url.dll's FileProtocolHandler, the handler Explorer uses for links.
 */
export function browserCommand(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): readonly string[] | undefined {
  if (platform === 'darwin') return ['open'];
  if (platform === 'win32') return ['rundll32', 'url.dll,FileProtocolHandler'];
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return ['xdg-open'];
  return undefined;
}

/**
 * Whether git would find `program` on PATH and run it. POSIX: an executable file.
 * git for Windows (compat/mingw.c): `program.exe`, or a file named exactly `program`
 * that starts with `#!` (npm's shell shim); never `program.cmd`, which only cmd runs.
 */
export function onPath(program: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  const separator = platform === 'win32' ? ';' : ':';
  // Windows' environment is case-insensitive: Node keeps `Path` as the system spells it.
  const path = platform === 'win32' ? (Object.entries(env).find(([name]) => name.toUpperCase() === 'PATH')?.[1] ?? '') : (env.PATH ?? '');
  for (const dir of path.split(separator).filter(Boolean)) {
    if (platform === 'win32' ? isFile(join(dir, `${program}.exe`)) || startsWithShebang(join(dir, program)) : isExecutable(join(dir, program))) return true;
  }
  return false;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function startsWithShebang(file: string): boolean {
  if (!isFile(file)) return false;
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head.toString('latin1') === '#!';
  } finally {
    closeSync(fd);
  }
}
