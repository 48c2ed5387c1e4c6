// KeePassXC 2.7.4 through forty helper stores in a row. Seen here: it died of SIGSEGV
// after 13 to 26 stores of the helper as it was (each store left its transfer session
// for the disconnect to end, and answered a replace with CreateItem); libsecret's
// secret-tool, forty in a row, never. The writer now closes its session and sets an
// existing item's secret in place. Run alone with the provider matrix, after the
// suite (scripts/test): beside the rest of the suite, on two cores, KeePassXC still
// died now and then, at store 29 to 34, a crash of its own whose trigger we could not
// isolate (it makes itself undumpable, so there is no core to read); docs/keychains.md
// says so. Alone, it died once more at store 26 (CI, 2026-12-07), so this test too runs
// once more on a fresh KeePassXC after a death, and only after a death.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { request, runHelper, testHome } from './support/helper-process.js';
import { RETRY_AFTER_PROVIDER_DEATH, useProvider } from './support/providers.js';

const CALL_LIMIT_MS = 8_000;

describe('KeePassXC through forty stores in a row', { retry: RETRY_AFTER_PROVIDER_DEATH }, () => {
  const running = useProvider({ name: 'keepassxc' });

  it('each store works and KeePassXC is still there after every one', async () => {
    const provider = running.provider;
    const env: NodeJS.ProcessEnv = {
      ...testHome(),
      XDG_RUNTIME_DIR: provider.env.XDG_RUNTIME_DIR,
      DBUS_SESSION_BUS_ADDRESS: provider.env.DBUS_SESSION_BUS_ADDRESS,
    };
    const run = randomBytes(3).toString('hex');
    for (let i = 0; i < 40; i++) {
      const host = `row-${run}-${i}.example.invalid`;
      const stored = await runHelper(['store'], request({ protocol: 'https', host, username: 'alice', password: `ghp_row${run}x${i}` }), env, CALL_LIMIT_MS);
      expect({ i, code: stored.code, died: provider.died() }).toEqual({ i, code: 0, died: undefined });
    }
    const got = await runHelper(['get'], request({ protocol: 'https', host: `row-${run}-39.example.invalid` }), env, CALL_LIMIT_MS);
    expect(got.stdout).toBe(`username=alice\npassword=ghp_row${run}x39\n`);
  }, 90_000);
});
