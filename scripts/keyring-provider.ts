// `scripts/with-keyring --provider keepassxc|kwallet --ephemeral COMMAND...` runs
// this (bundled on the fly): start the provider headless in a throwaway folder, run
// COMMAND with HOME, XDG_* and DBUS_SESSION_BUS_ADDRESS pointing at it, then stop
// every daemon and delete the folder, whatever way COMMAND or we end.
//
//   keyring-provider.mjs --provider NAME [mode flags] -- COMMAND [ARGS...]
//   mode flags: --confirm-access --confirm-delete --no-exposed-group --no-unlock-before-search (keepassxc)
//               --no-wallet --no-qca-plugins (kwallet)
import { spawn, type ChildProcess } from 'node:child_process';
import { describeMode, startProvider, type Provider, type ProviderMode } from '../test/support/providers/start.js';

function parse(argv: readonly string[]): { mode: ProviderMode; command: string[] } {
  const split = argv.indexOf('--');
  const flags = split < 0 ? argv : argv.slice(0, split);
  const command = split < 0 ? [] : argv.slice(split + 1);
  const name = flags[flags.indexOf('--provider') + 1];
  const has = (flag: string) => flags.includes(flag);
  const modes: Record<string, readonly string[]> = {
    keepassxc: ['--confirm-access', '--confirm-delete', '--no-exposed-group', '--no-unlock-before-search'],
    kwallet: ['--no-wallet', '--no-qca-plugins'],
  };
  const allowed = name !== undefined && Object.hasOwn(modes, name) ? modes[name] : undefined;
  if (!allowed) throw new Error(`--provider must be keepassxc or kwallet here (gnome-keyring is with-keyring's own path), not ${name ?? 'nothing'}`);
  const unknown = flags.filter((f, i) => i !== flags.indexOf('--provider') && i !== flags.indexOf('--provider') + 1 && !allowed.includes(f));
  if (unknown.length) throw new Error(`${unknown[0]} is not a ${name} mode`);
  if (command.length === 0) throw new Error('no command given');
  if (name === 'keepassxc') {
    return {
      mode: { name, confirmAccess: has('--confirm-access'), confirmDelete: has('--confirm-delete'), exposeGroup: !has('--no-exposed-group'), unlockBeforeSearch: !has('--no-unlock-before-search') },
      command,
    };
  }
  return { mode: { name: 'kwallet', wallet: !has('--no-wallet'), qcaPlugins: !has('--no-qca-plugins') }, command };
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`with-keyring: ${(error as Error).message}\n`);
    return 2;
  }
  const { mode, command } = parsed;
  let provider: Provider | undefined;
  let child: ChildProcess | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= provider?.stop() ?? Promise.resolve());
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => {
      child?.kill(signal);
      void stop().finally(() => process.exit(code));
    });
  }
  try {
    provider = await startProvider(mode);
  } catch (error) {
    process.stderr.write(`with-keyring: ${(error as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`with-keyring: ${describeMode(mode)} started in ${Math.round(provider.startMs)} ms\n`);
  try {
    const [file, ...args] = command as [string, ...string[]];
    return await new Promise<number>((resolve) => {
      child = spawn(file, args, { stdio: 'inherit', env: { ...process.env, ...provider!.env } });
      child.on('error', (error) => {
        process.stderr.write(`with-keyring: ${file}: ${error.message}\n`);
        resolve(127);
      });
      child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
    });
  } finally {
    const died = provider.died();
    if (died) process.stderr.write(`with-keyring: ${provider.label} died while the command ran: ${died}\n`);
    await stop();
  }
}

process.exitCode = await main();
