#!/usr/bin/env node
// git shows a helper's stderr to the user and its test suites compare it byte for
// byte: no Node warnings, ever.
process.removeAllListeners('warning');

const { main, exitProcess } = await import('../dist/cli.js');
const code = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: (text) => new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve()))),
  stderr: (text) => process.stderr.write(text),
});
exitProcess(code);
