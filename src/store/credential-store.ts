// The one interface every credential backend implements.
import type { Secret, Target } from '../credential.js';

export interface Account {
  readonly username: string;
  readonly secret: Secret;
}

export interface CredentialStore {
  /** The secret of one account at one target, or undefined. */
  read(target: Target, username: string): Promise<Secret | undefined>;
  /** Every account stored at exactly this target. */
  accounts(target: Target): Promise<Account[]>;
  /** Creates or replaces one account's secret. */
  write(target: Target, username: string, secret: Secret): Promise<void>;
  /** Removes one account; false when it was not there. */
  remove(target: Target, username: string): Promise<boolean>;
  /** Every target known for a protocol and host, with or without a path. */
  targetsFor(protocol: string, host: string): Promise<Target[]>;
  /** The username stored most recently among these at this target (to pick one when git names none). */
  mostRecent(target: Target, usernames: readonly string[]): Promise<string | undefined>;
}

/** The keychain could not be used: unreachable, locked, or too slow. The message says how to fix it. */
export class KeychainUnavailableError extends Error {
  override readonly name = 'KeychainUnavailableError';
}
