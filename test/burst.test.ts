// Two hundred helpers at once (a parallel fetch of many repositories, a monorepo
// tool with many jobs) on whatever the machine is: every credential stored, every
// one got back, and the keychain and the index hold exactly those. No time is
// asserted (speed is measured by scripts/burst); each wait is bounded by what the
// helper itself allows a busy Secret Service, so a loaded CI machine passes and a
// hang still fails. It runs alone, after the rest of the suite (scripts/test), in a
// keyring of its own: two hundred processes would starve every test beside them.
import { parseBusAddress } from '../src/store/dbus/address.js';
import { BusConnection } from '../src/store/dbus/connection.js';
import { SecretServiceClient } from '../src/store/dbus/secret-service.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HOLD_LIMIT_MS } from '../src/store/index-lock.js';
import { keychainDiskLimitMs, keychainTimeoutMs } from '../src/store/keychain.js';
import { request, runHelper, testHome } from './support/helper-process.js';
import { ownKeyring } from './support/private-keyring.js';

const PROCESSES = 200;
/** A store makes two keychain calls (read to compare, then write), a get one; each may take up to the disk limit. */
const CALLS_PER_PROCESS = 2;
/** Starting Node and loading the bundle, two hundred times over on two cores. */
const START_MARGIN_MS = 30_000;
/**
 * The helper's limits count its own run time; on a machine starved of CPU wall time
 * is longer. This only turns a hang into a failure, far above any honest run (the
 * slowest seen here, at a load average of 40: 5 minutes per phase; with the keyring's
 * disk throttled to 15 writes a second, 3 minutes for the store phase).
 */
const STARVATION_FACTOR = 2;

describe(`${PROCESSES} processes at once`, () => {
  const keyring = ownKeyring();
  const home = testHome();
  const perProcessMs = STARVATION_FACTOR * (CALLS_PER_PROCESS * keychainDiskLimitMs(keychainTimeoutMs(home)) + HOLD_LIMIT_MS) + START_MARGIN_MS;

  it('each stores a distinct credential, then each gets its own back; keychain and index hold exactly those', async () => {
    const env: NodeJS.ProcessEnv = { ...home, ...keyring.env };
    const run = randomBytes(4).toString('hex');
    const credentials = Array.from({ length: PROCESSES }, (_, i) => ({
      host: `burst-${run}-${i}.example.invalid`,
      username: `user${i}`,
      password: `ghp_burst${run}x${i}`,
    }));

    const stores = await Promise.all(credentials.map((c) => runHelper(['store'], request({ protocol: 'https', ...c }), env, perProcessMs)));
    expect(failures(stores), summary('stores', failures(stores))).toEqual([]);

    const gets = await Promise.all(credentials.map((c) => runHelper(['get'], request({ protocol: 'https', host: c.host }), env, perProcessMs)));
    expect(failures(gets), summary('gets', failures(gets))).toEqual([]);
    expect(gets.map((g) => g.stdout)).toEqual(credentials.map((c) => `username=${c.username}\npassword=${c.password}\n`));

    // The index: exactly the two hundred rows.
    const index = JSON.parse(readFileSync(join(env.XDG_STATE_HOME!, 'git-credential-pat', 'index.json'), 'utf8')) as {
      items: Array<{ target: { protocol: string; host: string }; username: string }>;
    };
    const rows = index.items.map((r) => `${r.target.protocol}://${r.username}@${r.target.host}`).sort();
    expect(rows).toEqual(credentials.map((c) => `https://${c.username}@${c.host}`).sort());

    // The keychain: exactly one item per credential, holding its password.
    const [socket] = parseBusAddress(env.DBUS_SESSION_BUS_ADDRESS);
    if (!socket) throw new Error('the private keyring gave no bus address');
    const bus = BusConnection.open(socket);
    try {
      const client = new SecretServiceClient(bus);
      const everything = await client.searchItems({});
      const session = await client.openSession('plain');
      const ours: string[] = [];
      for (const item of [...everything.unlocked, ...everything.locked]) {
        const attributes = await client.itemAttributes(item);
        if (!attributes.get('service')?.startsWith(`git-credential-pat:https://burst-${run}-`)) continue;
        const secret = (await client.getSecrets([item], session)).get(item);
        ours.push(`${attributes.get('service')} ${attributes.get('username')} ${Buffer.from(secret ?? []).toString()}`);
      }
      expect(ours.sort()).toEqual(credentials.map((c) => `git-credential-pat:https://${c.host} ${c.username} ${c.password}`).sort());
    } finally {
      bus.close();
    }
  }, 2 * perProcessMs + 60_000);
});

/** One line, since CI's record keeps only each failure's first line: how many, and each distinct answer with its count. */
function summary(what: string, failed: string[]): string {
  const counts = new Map<string, number>();
  for (const f of failed) counts.set(f, (counts.get(f) ?? 0) + 1);
  return `${failed.length} of ${PROCESSES} ${what} failed: ${[...counts].map(([f, n]) => `${n}× ${f}`).join('; ')}`;
}

function failures(results: Array<{ code: number | null; stderr: string }>): string[] {
  return results.filter((r) => r.code !== 0 || r.stderr !== '').map((r) => `exit ${r.code}: ${r.stderr.trim().replace(/\s*\n\s*/g, ' | ')}`);
}
