#!/usr/bin/env node
// CommonJS bundles on purpose: git runs `get` on every fetch and push, and the ESM
// loader (and Node's CommonJS-export scan of the keychain binding under it) costs
// tens of milliseconds that this path cannot afford.
'use strict';
// git shows a helper's stderr to the user and its test suites compare it byte for
// byte: no Node warnings, ever.
process.removeAllListeners('warning');

const action = process.argv[2];
if (action === 'get' || action === 'store' || action === 'erase') {
  require('../dist/door.cjs').door(action);
} else {
  const { main, exitProcess } = require('../dist/cli.cjs');
  main(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: (text) => new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve()))),
    stderr: (text) => process.stderr.write(text),
  }).then(exitProcess);
}
