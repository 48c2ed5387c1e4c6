// A Secret Service provider of issue 20's matrix for a describe block: started in
// the mode asked before its tests, stopped (daemons and folder) after them. How each
// starts headless: test/support/providers/*.ts.
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { describeMode, startProvider, type Provider, type ProviderMode } from './providers/start.js';

export { describeMode, packageVersion, PROVIDERS, startProvider } from './providers/start.js';
export type { Provider, ProviderEnv, ProviderMode, ProviderName } from './providers/start.js';

/**
 * KeePassXC 2.7.4 dies of SIGSEGV now and then under a client pattern we could not
 * isolate (it makes itself undumpable): about one CI run in two lost one test of the
 * matrix to it. A describe block of KeePassXC's passes this as its `retry`: a test
 * during which it died fails by name (afterEach), is run once more on a fresh
 * KeePassXC (beforeEach), and the death is printed for the README's figures. Only a
 * death is retried (the condition reads the last error, afterEach's): a failed
 * assertion with the provider alive fails at once, and two deaths in one test fail it.
 */
export const RETRY_AFTER_PROVIDER_DEATH = { count: 1, condition: /died during this test/ } as const;

/**
 * A provider for the describe block it is called in: started before its tests,
 * stopped (and its folder deleted) after them. Read `provider` inside tests or hooks.
 * A provider that died during a test is replaced by a fresh one before the next test
 * or retry, so one death costs one test, not the rest of the block.
 */
export function useProvider(mode: ProviderMode): { readonly provider: Provider } {
  let provider: Provider | undefined;
  const start = async () => {
    provider = await startProvider(mode);
    // Start-up figures for the README's "Which keychain" table.
    console.log(`[provider] ${provider.label}: started in ${Math.round(provider.startMs)} ms`);
  };
  beforeAll(start, 60_000);
  beforeEach(async () => {
    if (!provider?.died()) return;
    await provider.stop();
    await start();
  }, 60_000);
  // A test that kills the provider fails by name, with the daemon's last words.
  afterEach((context) => {
    const died = provider?.died();
    if (!died) return;
    console.log(`[provider-death] ${provider?.label} died during "${context.task.name}": ${died.split('\n', 1)[0]}`);
    throw new Error(`${provider?.label} died during this test: ${died}`);
  });
  afterAll(async () => {
    await provider?.stop();
  }, 30_000);
  return {
    get provider() {
      if (!provider) throw new Error(`the ${describeMode(mode)} provider was read before its beforeAll started it`);
      return provider;
    },
  };
}
