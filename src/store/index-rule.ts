// The index's one rule about the keychain: it remembers, it never decides. A row
// says "this item was stored"; only the keychain can say it is gone, and only by a
// direct lookup where nothing is locked (SecretBackend.confirmGone). A search that
// did not return an item proves nothing: KeePassXC answers an empty-attribute search
// with nothing and hides a locked database's items, wine's Credential Manager
// matches only a trailing `*`, and a locked collection may answer with no items.
import { sameTarget, type Target } from '../credential.js';
import type { IndexRow } from './index-file.js';

/** The rows left once those the keychain positively said are gone are dropped. */
export function keepUnlessGone(rows: readonly IndexRow[], gone: ReadonlyArray<{ readonly target: Target; readonly username: string }>): IndexRow[] {
  return rows.filter((row) => !gone.some((g) => sameTarget(g.target, row.target) && g.username === row.username));
}

/** The usernames recorded for exactly this target, most recently stored first. */
export function knownUsernames(rows: readonly IndexRow[], target: Target): string[] {
  return rows
    .filter((row) => sameTarget(row.target, target))
    .sort((a, b) => b.storedAt - a.storedAt)
    .map((row) => row.username);
}
