// Node built-ins loaded on first use, from ESM (tests) and the CommonJS bundles alike.
// A static import would make every bundle that contains the D-Bus client load `net`
// and `crypto` at start-up, even on macOS or for an erase that never reads, and
// `os` (0.4 ms) where its only use is homedir() for a HOME that is unset.
interface Builtins {
  'node:net': typeof import('node:net');
  'node:crypto': typeof import('node:crypto');
  'node:os': typeof import('node:os');
}

/**
 * process.getBuiltinModule (Node 20.16, 22.3) costs nothing, where importing
 * node:module for createRequire costs 0.65 ms in a cold process (measured). An older
 * Node 20 runs the CommonJS bundles, whose own `require` loads built-ins; only ESM
 * (the tests) lacks one, and the tests run on Nodes that have getBuiltinModule.
 */
function builtin<K extends keyof Builtins>(name: K): Builtins[K] {
  const load = process.getBuiltinModule as ((id: string) => unknown) | undefined;
  return (load ? load(name) : require(name)) as Builtins[K];
}

export function netModule(): typeof import('node:net') {
  return builtin('node:net');
}

export function cryptoModule(): typeof import('node:crypto') {
  return builtin('node:crypto');
}

export function osModule(): typeof import('node:os') {
  return builtin('node:os');
}
