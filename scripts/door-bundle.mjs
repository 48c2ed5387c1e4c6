// How a door bundle is made, for the build (dist/door.cjs) and for the benchmark's
// "our own parts only" row, which bin/ must load exactly as it loads the door.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

/** The esbuild options every bundle of ours shares. */
export function bundleOptions(entry, outfile, define) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // The native binding is the one thing loaded at run time from node_modules.
    external: ['@napi-rs/keyring', '@napi-rs/keyring-*'],
    define,
    logLevel: 'warning',
  };
}

/**
 * A door: minified, because every `get` reads it and compiles it, and a 109 KB source
 * (read, then copied by V8) pushed V8's young generation past the point where it
 * schedules a collection, which then ran in the middle of the keychain exchange
 * (BENCHMARKS.md; error classes name themselves, so nothing reads a minified name).
 * Written as one function expression, as bin/ compiles it with node:vm, so no wrapper
 * is added at run time and the source is never copied. Its first line names its
 * build: bin/ keeps V8's compiled code for it in the user's cache under that name, so
 * a cache is only ever used for the bytes it was made from.
 */
export async function buildDoor(entry, outfile, define) {
  await build({ ...bundleOptions(entry, outfile, define), minify: true });
  const code = `(function (exports, require, module, __filename, __dirname) {${readFileSync(outfile, 'utf8')}\n})`;
  writeFileSync(outfile, `// door build ${createHash('sha256').update(code).digest('hex').slice(0, 16)}\n${code}`);
}
