#!/usr/bin/env node
// Builds dist/: the four CommonJS bundles (quick: a hit, a miss and an unchanged
// store, and door: all of git's get/store/erase, both made as scripts/door-bundle.mjs
// says; cli: the commands; guide: the token prompt at git's first ask), then the man page, rendered by the cli bundle itself from the same specs
// as --help. The version is package.json's, written into the bundles here: there is
// no second copy.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { buildDoor, bundleOptions } from './door-bundle.mjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
const define = { PACKAGE_VERSION: JSON.stringify(pkg.version) };
await Promise.all([
  buildDoor(join(root, 'src', 'door.ts'), join(dist, 'door.cjs'), define),
  buildDoor(join(root, 'src', 'quick-door.ts'), join(dist, 'quick.cjs'), define),
  ...['cli', 'guide'].map((name) => build(bundleOptions(join(root, 'src', `${name}.ts`), join(dist, `${name}.cjs`), define))),
]);

const { manPage } = createRequire(import.meta.url)(join(dist, 'cli.cjs'));
const [page] = pkg.man;
writeFileSync(join(root, page), await manPage());
