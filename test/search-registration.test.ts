// A search that meets gnome-keyring 42 before it knows the client answers UnknownMethod
// (src/store/dbus/secret-service.ts): it is asked again after a growing pause, a few
// times, and register() is such a search, for nothing. Anything else is not repeated.
import { describe, expect, it } from 'vitest';
import type { BusConnection } from '../src/store/dbus/connection.js';
import { DBusErrorReply } from '../src/store/dbus/errors.js';
import { SecretServiceClient } from '../src/store/dbus/secret-service.js';

function bus(answers: Array<'unknown' | 'other' | 'ok'>): { bus: BusConnection; members: string[] } {
  const members: string[] = [];
  const fake = {
    call: (message: { member: string }) => {
      members.push(message.member);
      const answer = answers.shift() ?? 'ok';
      if (answer === 'unknown') return Promise.reject(new DBusErrorReply('org.freedesktop.DBus.Error.UnknownMethod', 'no such client yet'));
      if (answer === 'other') return Promise.reject(new DBusErrorReply('org.freedesktop.DBus.Error.AccessDenied', 'no'));
      return Promise.resolve({ signature: 'aoao', body: [['/item/1'], []] });
    },
  };
  return { bus: fake as unknown as BusConnection, members };
}

describe('SecretServiceClient.searchItems', () => {
  it('asks again after UnknownMethod, up to six times in all, then gives up with it', async () => {
    const lagging = bus(['unknown', 'unknown', 'unknown', 'ok']);
    expect(await new SecretServiceClient(lagging.bus).searchItems({ service: 's' })).toEqual({ unlocked: ['/item/1'], locked: [] });
    expect(lagging.members).toEqual(['SearchItems', 'SearchItems', 'SearchItems', 'SearchItems']);
    const never = bus(Array<'unknown'>(10).fill('unknown'));
    await expect(new SecretServiceClient(never.bus).searchItems({ service: 's' })).rejects.toThrow(/UnknownMethod/);
    expect(never.members).toHaveLength(6);
    const denied = bus(['other']);
    await expect(new SecretServiceClient(denied.bus).searchItems({ service: 's' })).rejects.toThrow(/AccessDenied/);
    expect(denied.members).toHaveLength(1);
  });

  it('register searches once per connection, and not at all after an answered search', async () => {
    const fresh = bus(['unknown', 'ok']);
    const client = new SecretServiceClient(fresh.bus);
    await client.register();
    await client.register();
    expect(fresh.members).toEqual(['SearchItems', 'SearchItems']);
    const searched = bus([]);
    const other = new SecretServiceClient(searched.bus);
    await other.searchItems({ service: 's' });
    await other.register();
    expect(searched.members).toEqual(['SearchItems']);
  });
});
