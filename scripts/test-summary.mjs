// The suite's closing lines, read from the reports scripts/test wrote: each failed test
// by file and name with the first line of its failure, then "tests: N passed, N failed".
// CI keeps only the end of the output, so what failed must be said last, not only in
// the reporter's scroll above. When many failed, the first files to fail are named
// again at the very end (a cause shows first; its consequences scroll it away), and so
// is the moment the suite's Secret Service left the bus, if it did (keyring-watch.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const results = process.argv[2];
const reports = ['vitest.json', 'burst.json', 'providers.json'];
let passed = 0;
let failed = 0;
const lines = [];
/** Every file run, with when it ran and its first failure: for the closing lines. */
const files = [];
const firstLine = (text) => String(text ?? '').replace(/\x1b\[[0-9;]*m/g, '').trim().split('\n', 1)[0].slice(0, 300);

for (const report of reports) {
  let run;
  try {
    run = JSON.parse(readFileSync(join(results, report), 'utf8'));
  } catch {
    failed += 1;
    lines.push(`FAILED ${report}: no report (the run died before writing it)`);
    continue;
  }
  passed += run.numPassedTests;
  failed += run.numFailedTests;
  for (const file of run.testResults ?? []) {
    const name = relative(process.cwd(), file.name);
    const failures = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    const first = failures[0] ? `${failures[0].fullName}: ${firstLine(failures[0].failureMessages?.[0])}` : file.status === 'failed' ? firstLine(file.message) : undefined;
    files.push({ name, startTime: file.startTime, endTime: file.endTime, first });
    for (const test of failures) lines.push(`FAILED ${name} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    // A file that failed to load or whose hooks failed has no failed test to name.
    if (failures.length === 0 && file.status === 'failed') {
      failed += (file.assertionResults ?? []).length === 0 ? 1 : 0;
      lines.push(`FAILED ${name}: ${firstLine(file.message)}`);
    }
  }
}

const log = join(results, 'conformance.log');
const m = /PASS: (\d+) tests, (\d+) failed|FAIL: (\d+) tests, (\d+) failed/.exec(existsSync(log) ? readFileSync(log, 'utf8') : '');
if (m) {
  const total = Number(m[1] ?? m[3]);
  const bad = Number(m[2] ?? m[4]);
  passed += total - bad;
  failed += bad;
  if (bad > 0) lines.push(`FAILED git's t0303: ${bad} of ${total} (see "not ok" above)`);
} else {
  failed += 1;
  lines.push("FAILED git's t0303: no result line");
}
for (const line of lines) console.log(line);

const MANY = 10;
if (lines.length > MANY) {
  const byStart = files.filter((f) => f.first && Number.isFinite(f.startTime)).sort((a, b) => a.startTime - b.startTime);
  for (const f of byStart.slice(0, 3)) console.log(`FIRST TO FAIL (started ${clock(f.startTime)}) ${f.name} > ${f.first}`);
}
const watch = join(results, 'keyring-watch.log');
for (const line of existsSync(watch) ? readFileSync(watch, 'utf8').split('\n') : []) {
  const at = Number(line.slice(0, line.indexOf(' ')));
  const text = line.slice(line.indexOf(' ') + 1);
  if (!Number.isFinite(at) || !/left the bus|owns the Secret Service/.test(text)) continue;
  const running = files.filter((f) => f.startTime <= at && at <= f.endTime).map((f) => f.name);
  console.log(`KEYRING at ${clock(at)}: ${text}; test files running then: ${running.length ? running.join(', ') : 'none (between phases, or in t0303)'}`);
}
console.log(`tests: ${passed} passed, ${failed} failed`);

function clock(ms) {
  return new Date(ms).toISOString().slice(11, 19);
}
