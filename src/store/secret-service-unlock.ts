// Unlocking items the way libsecret does where a person can answer: Service.Unlock,
// then its Prompt, run on the same connection (KWallet sends Completed only to the
// connection that asked, and cancels the unlock when it goes), and waited for as long
// as a person may take. Where no person can answer, nothing calls this: the caller
// says at once what the service wants (own-client-result.ts).
import { expectBody } from './dbus/connection.js';
import { NO_PROMPT, runPrompt } from './dbus/prompt.js';
import { SECRETS_NAME, type SecretServiceClient } from './dbus/secret-service.js';
import type { ServiceWant } from './secret-service-provider.js';

const SERVICE = { destination: SECRETS_NAME, path: '/org/freedesktop/secrets', interface: 'org.freedesktop.Secret.Service' } as const;

/** true once every one of these objects is unlocked; false when the person dismissed the prompt or never answered. */
export async function unlockWithPrompt(client: SecretServiceClient, objects: readonly string[], deadlineMs: number): Promise<boolean> {
  const reply = await client.bus.call({ ...SERVICE, member: 'Unlock', signature: 'ao', body: [objects] });
  const [unlocked, prompt] = expectBody<[string[], string]>(reply, 'aoo');
  if (prompt === NO_PROMPT) return objects.every((o) => unlocked.includes(o));
  const outcome = await runPrompt(client.bus, prompt, deadlineMs);
  return outcome.kind === 'completed';
}

/**
 * Items the service calls locked: undefined once they are unlocked, else what the
 * service wants. Where a person can answer, its Unlock prompt is run and waited for.
 * Where none can, what it wants is said at once: its collection is locked, or (the
 * collection itself unlocked) it wants this access confirmed, as KeePassXC does for
 * each new client.
 */
export async function unlockLocked(client: SecretServiceClient, items: readonly string[], person: boolean, deadlineMs: number): Promise<ServiceWant | undefined> {
  const want = (await collectionLocked(client, items[0]!)) ? 'locked' : 'confirmation';
  if (!person) return want;
  return (await unlockWithPrompt(client, items, deadlineMs)) ? undefined : want;
}

/**
 * Whether the collection holding this item says Locked. Item paths are children of
 * their collection's (Secret Service API: /org/freedesktop/secrets/collection/NAME/ID).
 * A collection that will not say is taken as locked: that only ever keeps data.
 */
export async function collectionLocked(client: SecretServiceClient, item: string): Promise<boolean> {
  const collection = item.slice(0, item.lastIndexOf('/'));
  try {
    return await client.collectionLocked(collection);
  } catch {
    return true;
  }
}
