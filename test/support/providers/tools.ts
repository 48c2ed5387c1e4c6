// Running the providers' own command-line tools, and the folder a provider lives in.
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../run-process.js';

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a tool to the end; `input` goes to its stdin (how a password reaches it: never argv). */
export async function runTool(command: string, args: readonly string[], env: NodeJS.ProcessEnv, input = '', limitMs = 20_000): Promise<ToolResult> {
  const { code, stdout, stderr, timedOut } = await runProcess(command, args, env, { input, limitMs });
  if (timedOut) throw new Error(`${command} ${args.join(' ')} did not finish within ${limitMs} ms`);
  return { code, stdout, stderr };
}

export async function mustRun(command: string, args: readonly string[], env: NodeJS.ProcessEnv, input = ''): Promise<string> {
  const result = await runTool(command, args, env, input);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

/** HOME and XDG_* of a provider: what its daemons and the helpers under test see. */
export interface ProviderHome {
  readonly HOME: string;
  readonly XDG_CONFIG_HOME: string;
  readonly XDG_DATA_HOME: string;
  readonly XDG_CACHE_HOME: string;
  readonly XDG_STATE_HOME: string;
  readonly XDG_RUNTIME_DIR: string;
}

export function providerHome(root: string): ProviderHome {
  const home: ProviderHome = {
    HOME: join(root, 'home'),
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_DATA_HOME: join(root, 'data'),
    XDG_CACHE_HOME: join(root, 'cache'),
    XDG_STATE_HOME: join(root, 'state'),
    XDG_RUNTIME_DIR: join(root, 'run'),
  };
  for (const dir of Object.values(home)) mkdirSync(dir, { recursive: true });
  chmodSync(home.XDG_RUNTIME_DIR, 0o700);
  return home;
}

/**
 * What a daemon gets: its files' folders, a headless Qt, the bus, and nothing of the
 * caller's environment (a token exported there must not live on in a daemon).
 */
export function daemonEnv(home: ProviderHome, address: string | undefined): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...home,
    LANG: 'C.UTF-8',
    QT_QPA_PLATFORM: 'offscreen',
    ...(address ? { DBUS_SESSION_BUS_ADDRESS: address } : {}),
  };
}
