// One rotation of a credential at a time on this machine. Two `rotate`s of the same
// token at once would be the worst case there is: the second sends the already
// rotated token, and GitLab then revokes the whole family, the new token included.
// So the second waits here, and afterwards finds the stored token changed (rotate's
// own check). The lock file lives beside the index and names its holder (PID and
// namespace) like the index lock; a rotation holds it across network calls and
// keychain prompts, so a live holder is waited for far longer than an index update.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { accountName, serviceName, type Target } from './credential.js';
import { stateDir } from './store/index-file.js';
import { tryLock, type LockLimits } from './store/index-lock.js';

const ROTATION_LIMITS: LockLimits = { holdMs: 15 * 60_000, staleMs: 15 * 60_000 };

export function rotationLockPath(env: NodeJS.ProcessEnv, target: Target, username: string): string {
  // Hashed: a file name cannot hold every service and account (slashes, colons, length).
  const key = createHash('sha256').update(`${serviceName(target)}\0${accountName(username)}`).digest('hex').slice(0, 32);
  return join(stateDir(env), `rotate-${key}.lock`);
}

/** Waits for the credential's rotation lock; `waiting` is told once if another holds it. Returns the release. */
export async function lockForRotation(env: NodeJS.ProcessEnv, target: Target, username: string, waiting: () => void): Promise<() => void> {
  const path = rotationLockPath(env, target, username);
  mkdirSync(stateDir(env), { recursive: true, mode: 0o700 });
  let told = false;
  for (;;) {
    const release = tryLock(path, ROTATION_LIMITS);
    if (release) return release;
    if (!told) waiting();
    told = true;
    await delay(50 + Math.floor(Math.random() * 50));
  }
}
