// What our own Secret Service client can say about a request: the answer; that the
// binding must be asked instead (something our client does not handle exactly as
// it would); or that the request cannot be served now, for a reason a person must
// act on (src/store/secret-service-provider.ts words it for whoever serves).
import type { ServiceWant } from './secret-service-provider.js';

export type OwnResult<T> =
  | { readonly kind: 'answer'; readonly value: T }
  | { readonly kind: 'ask-binding'; readonly reason: string }
  | { readonly kind: 'refuse'; readonly want: ServiceWant };

export function answer<T>(value: T): OwnResult<T> {
  return { kind: 'answer', value };
}

export function askBinding<T>(reason: string): OwnResult<T> {
  return { kind: 'ask-binding', reason };
}

export function refuse<T>(want: ServiceWant): OwnResult<T> {
  return { kind: 'refuse', want };
}

/**
 * Whether a person can answer a keychain's own prompt (an unlock dialog, KeePassXC's
 * access confirmation): a Linux desktop, macOS and Windows can show one; a Linux
 * machine without a display cannot, so nothing may wait for one there.
 */
export function personCanAnswer(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): boolean {
  return platform !== 'linux' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** How long a Prompt may take: a person's time where one can answer, else a prompt that needs none. */
export function promptDeadlineMs(env: NodeJS.ProcessEnv): number {
  return personCanAnswer(env) ? 60_000 : 2000;
}
