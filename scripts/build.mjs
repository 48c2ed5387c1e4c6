#!/usr/bin/env node
// Builds dist/: the three CommonJS bundles (door: git's get/store/erase; cli: the
// commands; guide: the token prompt at git's first ask), then the man page, rendered
// by the cli bundle itself from the same specs as --help. The version is
// package.json's, written into the bundles here: there is no second copy.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
await Promise.all(
  ['door', 'cli', 'guide'].map((name) =>
    build({
      entryPoints: [join(root, 'src', `${name}.ts`)],
      outfile: join(dist, `${name}.cjs`),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // The native binding is the one thing loaded at run time from node_modules.
      external: ['@napi-rs/keyring', '@napi-rs/keyring-*'],
      define: { PACKAGE_VERSION: JSON.stringify(pkg.version) },
      logLevel: 'warning',
      // The door is minified: every `get` reads it and compiles it, and a 109 KB source
      // (read, then copied once more by V8) pushed V8's young generation past the point
      // where it schedules a collection, which then ran in the middle of the keychain
      // exchange (BENCHMARKS.md). Error classes name themselves, so nothing reads a
      // minified name.
      minify: name === 'door',
    }),
  ),
);

// The door is one function expression, as bin/ compiles it with node:vm: no wrapper
// is added at run time, so the source is never copied. Its first line names its
// build: bin/ keeps V8's compiled code for it in the user's cache under that name, so
// a cache is only ever used for the bytes it was made from.
{
  const door = join(dist, 'door.cjs');
  const code = `(function (exports, require, module, __filename, __dirname) {${readFileSync(door, 'utf8')}\n})`;
  writeFileSync(door, `// door build ${createHash('sha256').update(code).digest('hex').slice(0, 16)}\n${code}`);
}

const { manPage } = createRequire(import.meta.url)(join(dist, 'cli.cjs'));
const [page] = pkg.man;
writeFileSync(join(root, page), await manPage());
