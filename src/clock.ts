// Milliseconds on a monotonic clock, for durations. Not `performance.now()`: its
// first use loads perf_hooks, about 2 ms of every helper process's start-up
// (measured whole-process, `node -e 'performance.now()'` against `node -e 0`).
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
