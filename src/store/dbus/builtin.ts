// Node built-ins loaded on first use, from ESM (tests) and the CommonJS bundles alike.
// A static import would make every bundle that contains the D-Bus client load `net`
// and `crypto` at start-up, even on macOS or for an erase that never reads.
import { createRequire } from 'node:module';

// Built-in modules resolve from any base path.
const requireBuiltin = createRequire('/');

export function netModule(): typeof import('node:net') {
  return requireBuiltin('node:net') as typeof import('node:net');
}

export function cryptoModule(): typeof import('node:crypto') {
  return requireBuiltin('node:crypto') as typeof import('node:crypto');
}
