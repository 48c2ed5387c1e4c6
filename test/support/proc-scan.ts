// Watches every process on the machine for a secret in its environment or argv
// (/proc/PID/environ and cmdline), polling while a test runs: the proof that a
// password travelled through pipes only.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcScan {
  /** Every PID read at least once, with its cmdline. */
  readonly seen: Map<number, string>;
  /** `PID file` for each place the secret was found. */
  readonly hits: string[];
  /** One more full pass, then stop polling. */
  stop(): void;
  scanOnce(): void;
}

export function scanProcesses(secret: string, everyMs = 20): ProcScan {
  const needle = Buffer.from(secret);
  const seen = new Map<number, string>();
  const hits: string[] = [];
  const read = (pid: string, file: string): Buffer | undefined => {
    try {
      return readFileSync(`/proc/${pid}/${file}`);
    } catch {
      return undefined; // gone meanwhile, or not ours to read
    }
  };
  const scanOnce = () => {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const cmdline = read(pid, 'cmdline');
      const environ = read(pid, 'environ');
      if (cmdline === undefined && environ === undefined) continue;
      if (!seen.has(Number(pid))) seen.set(Number(pid), (cmdline ?? Buffer.alloc(0)).toString().replace(/\0/g, ' ').trim());
      if (cmdline?.includes(needle)) hits.push(`${pid} cmdline`);
      if (environ?.includes(needle)) hits.push(`${pid} environ`);
    }
  };
  const timer = setInterval(scanOnce, everyMs);
  scanOnce();
  return {
    seen,
    hits,
    scanOnce,
    stop() {
      clearInterval(timer);
      scanOnce();
    },
  };
}

/** Whether PID is a live process; a zombie (exited, not yet reaped by init) is not. */
export function processRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}
