import { it } from 'vitest';
import { parseBusAddress } from '../src/store/dbus/address.js';
import { BusConnection } from '../src/store/dbus/connection.js';
import { SecretServiceClient } from '../src/store/dbus/secret-service.js';
import { secretServiceWriter } from '../src/store/secret-service-writer.js';
it('stages', async () => {
  const socket = parseBusAddress(process.env.DBUS_SESSION_BUS_ADDRESS)[0]!;
  await secretServiceWriter(process.env)!.set('t:stage', 'u', 'p', new AbortController().signal);
  const t: Record<string, number[]> = {};
  const add = (k: string, v: number) => (t[k] ??= []).push(v);
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const bus = BusConnection.open(socket);
    await bus.uniqueName;
    const t1 = performance.now();
    const c = new SecretServiceClient(bus);
    const found = await c.searchItems({ service: 't:stage' });
    const t2 = performance.now();
    const s = await c.openSession('plain');
    const t3 = performance.now();
    await Promise.all([c.getSecrets(found.unlocked, s), ...found.unlocked.map((x) => c.itemAttributes(x))]);
    const t4 = performance.now();
    await c.searchItems({ service: 't:stage', username: 'u' });
    const t5 = performance.now();
    bus.close();
    add('connect+hello', t1 - t0); add('search', t2 - t1); add('session', t3 - t2); add('secrets+attrs', t4 - t3); add('search again', t5 - t4);
  }
  const med = (v: number[]) => v.sort((a, b) => a - b)[v.length >> 1]!.toFixed(2);
  throw new Error(Object.entries(t).map(([k, v]) => `${k}=${med(v)}`).join(' '));
});
