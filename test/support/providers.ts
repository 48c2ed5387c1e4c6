// A Secret Service provider of issue 20's matrix for a describe block: started in
// the mode asked before its tests, stopped (daemons and folder) after them. How each
// starts headless: test/support/providers/*.ts.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { describeMode, startProvider, type Provider, type ProviderMode } from './providers/start.js';

export { describeMode, packageVersion, PROVIDERS, startProvider } from './providers/start.js';
export type { Provider, ProviderEnv, ProviderMode, ProviderName } from './providers/start.js';

/**
 * A provider for the describe block it is called in: started before its tests,
 * stopped (and its folder deleted) after them. Read `provider` inside tests or hooks.
 */
export function useProvider(mode: ProviderMode): { readonly provider: Provider } {
  let provider: Provider | undefined;
  beforeAll(async () => {
    provider = await startProvider(mode);
    // Start-up figures for the README's "Which keychain" table.
    console.log(`[provider] ${provider.label}: started in ${Math.round(provider.startMs)} ms`);
  }, 60_000);
  // A test that kills the provider fails by name, with the daemon's last words.
  afterEach(() => {
    const died = provider?.died();
    if (died) throw new Error(`${provider?.label} died during this test: ${died}`);
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
