// Milliseconds on a monotonic clock, for durations. Not `performance.now()`: its
// first use loads perf_hooks into every helper process (whole-process, 30 runs
// interleaved on a loaded machine: `node -e 'performance.now()'` took 2.2 ms more
// than `node -e 0`).
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
