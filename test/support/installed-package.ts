// The package as users get it: packed, then installed with npm into a fresh prefix.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Packs this repository, installs the tarball globally into a new prefix, and returns that prefix's bin folder. */
export function installPackedPackage(label: string): string {
  const work = mkdtempSync(join(tmpdir(), `gcp-${label}-pack-`));
  execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  const prefix = join(work, 'prefix');
  execFileSync('npm', ['install', '--global', '--prefix', prefix, '--omit=dev', '--no-audit', '--no-fund', '--no-update-notifier', '--prefer-offline', tarball], { stdio: 'ignore' });
  return join(prefix, 'bin');
}
