// The suite's closing lines, read from the reports scripts/test wrote: each failed test
// by file and name with the first line of its failure, then "tests: N passed, N failed".
// CI keeps only the end of the output, so what failed must be said last, not only in
// the reporter's scroll above.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const results = process.argv[2];
const reports = ['vitest.json', 'burst.json', 'providers.json'];
let passed = 0;
let failed = 0;
const lines = [];
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
console.log(`tests: ${passed} passed, ${failed} failed`);
