// Watches the suite's Secret Service while the tests run (scripts/test starts it inside
// the suite's keyring session), and writes down when it leaves the bus: the time, whether
// its process is gone or alive, who owns the name now, and what the kernel logged about
// it (a segfault, the OOM killer). CI keeps only the end of the output, and a keyring
// that vanished mid-run otherwise shows only as a hundred failed tests: scripts/
// test-summary.mjs names the moment and the test files running then.
//   node scripts/keyring-watch.mjs LOG   (ends with SIGTERM)
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';

const log = process.argv[2];
if (!log) throw new Error('usage: keyring-watch.mjs LOG');

/** The PID owning org.freedesktop.secrets on the session bus; 0 for nobody; undefined when the bus did not say. */
function owner() {
  try {
    const out = execFileSync(
      'dbus-send',
      ['--session', '--print-reply=literal', '--reply-timeout=5000', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetConnectionUnixProcessID', 'string:org.freedesktop.secrets'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 },
    );
    const pid = Number(/uint32 (\d+)/.exec(out)?.[1]);
    return Number.isInteger(pid) ? pid : undefined;
  } catch (error) {
    return /NameHasNoOwner/.test(String(error.stderr ?? '')) ? 0 : undefined;
  }
}

/** What became of a process: gone, or its state letter as the kernel says (Z: exited, not yet reaped). */
function fate(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 1)[0];
    return state === 'Z' || state === 'X' ? 'has exited (not yet reaped)' : `is still running (state ${state})`;
  } catch {
    return 'is gone';
  }
}

function command(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Lines of the kernel's log naming the process or a kill; [] where the log cannot be read. */
function kernelSays(pid) {
  try {
    const text = execFileSync('dmesg', [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    return text.split('\n').filter((line) => line.includes(`[${pid}]`) || line.includes(`process ${pid} `) || /Out of memory|oom-kill/.test(line)).slice(-5);
  } catch {
    return [];
  }
}

function write(text) {
  appendFileSync(log, `${Date.now()} ${text}\n`);
}

let current = owner();
write(current ? `watching: the Secret Service is PID ${current} (${command(current) ?? '?'})` : `watching: no Secret Service at the start (${current === 0 ? 'nobody owns the name' : 'the bus did not say'})`);
const names = new Map(current ? [[current, command(current)]] : []);

const timer = setInterval(() => {
  const now = owner();
  if (now === undefined || now === current) return;
  if (current) {
    // A process that is dumping core or exiting still shows for a moment.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    const kernel = kernelSays(current);
    write(
      `the Secret Service PID ${current} (${names.get(current) ?? '?'}) left the bus: its process ${fate(current)}; ` +
        `${now ? `PID ${now} (${command(now) ?? '?'}) owns the name now` : 'nobody owns the name now'}` +
        (kernel.length ? `; the kernel logged: ${kernel.join(' | ')}` : ''),
    );
  } else if (now) {
    write(`PID ${now} (${command(now) ?? '?'}) owns the Secret Service's name now`);
  }
  if (now) names.set(now, command(now));
  current = now;
}, 1000);

process.on('SIGTERM', () => {
  clearInterval(timer);
  process.exit(0);
});
