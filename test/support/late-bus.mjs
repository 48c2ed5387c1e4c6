// A bus that answers late: a proxy in front of a real D-Bus socket that, from its first
// connection on, lets nothing through for HOLD_MS. 'busy' holds by spinning the CPU, as a
// bus daemon serving two hundred clients at once on a starved machine does; 'hung' holds
// doing nothing, as a daemon blocked for good does. Its own process, so the kernel shows
// its work apart from the test's.
//   node late-bus.mjs LISTEN_PATH UPSTREAM_PATH busy|hung HOLD_MS
// Prints "ready" once listening.
import { createConnection, createServer } from 'node:net';

const [listen, upstream, mode, holdText] = process.argv.slice(2);
const holdMs = Number(holdText);
let held;

const server = createServer((client) => {
  client.pause();
  held ??= hold();
  held.then(() => {
    const bus = createConnection(upstream);
    client.pipe(bus).pipe(client);
    client.resume();
    const end = () => {
      client.destroy();
      bus.destroy();
    };
    client.on('error', end).on('close', end);
    bus.on('error', end).on('close', end);
  });
});

function hold() {
  if (mode === 'busy') {
    // Spins off the event loop's turn that accepted the first connection.
    return new Promise((resolve) =>
      setImmediate(() => {
        const until = Date.now() + holdMs;
        while (Date.now() < until) Math.sqrt(Math.random());
        resolve();
      }),
    );
  }
  return new Promise((resolve) => setTimeout(resolve, holdMs));
}

server.listen(listen, () => process.stdout.write('ready\n'));
process.stdin.on('end', () => process.exit(0)).resume();
