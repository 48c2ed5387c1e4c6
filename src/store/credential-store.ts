// The one interface every credential backend implements.
import type { Secret, Target } from '../credential.js';

export interface Account {
  readonly username: string;
  readonly secret: Secret;
}

/** What the forge said about a token (or the person, at login). Not secret; kept beside the item. */
export interface TokenMetadata {
  /** The forge (src/hosts/provider.ts ProviderId); absent in rows written before forges were told apart (GitHub). */
  readonly provider?: string;
  readonly login: string;
  /** The token's scopes; null when the forge lists none (GitHub fine-grained tokens, Gitea...). */
  readonly scopes: readonly string[] | null;
  /** Unix seconds: from the forge, or from login --expires where the forge cannot tell. */
  readonly expiresAt?: number;
  /** Milliseconds since the epoch; absent when the token was never validated (generic hosts). */
  readonly lastValidated?: number;
  /** The account the forge's API wants beside the token (Bitbucket: the Atlassian email). */
  readonly account?: string;
}

export interface StoredCredential {
  readonly target: Target;
  readonly username: string;
  readonly secret: Secret;
  /** Milliseconds since the epoch, when known. */
  readonly storedAt?: number;
  readonly metadata?: TokenMetadata;
  /** false: found in the keychain but named by no row of this index (stored under another XDG_STATE_HOME). */
  readonly inIndex?: boolean;
}

/** An index row whose item the keychain would neither give nor deny (locked, or a search that may leave it out). */
export interface UnconfirmedRow {
  readonly target: Target;
  readonly username: string;
}

/** What `list` and `logout` work from. */
export interface Inventory {
  readonly credentials: StoredCredential[];
  /**
   * true: the keychain itself was searched for every item of ours. false: it cannot be (macOS, Windows, a locked Secret Service
   * collection), so a token stored under another XDG_STATE_HOME may be missing.
   */
  readonly wholeKeychain: boolean;
  /** Rows kept in the index although their item could not be read now: the list may be incomplete. */
  readonly unconfirmed: readonly UnconfirmedRow[];
  /** Why the keychain could not be read at all (locked, unreachable), in one line with its fix. */
  readonly unreadable?: string;
}

/** On write: new metadata, keep what is there (the token did not change), or drop it. */
export type MetadataChange = TokenMetadata | 'keep' | 'drop';

export interface CredentialStore {
  /** The secret of one account at one target, or undefined. */
  read(target: Target, username: string): Promise<Secret | undefined>;
  /**
   * Every account stored at exactly this target: those the index knows, looked up
   * directly (a search only when none is there); with 'all', the search's too.
   */
  accounts(target: Target, reach?: 'known' | 'all'): Promise<Account[]>;
  /** Creates or replaces one account's secret. */
  write(target: Target, username: string, secret: Secret, metadata?: MetadataChange): Promise<void>;
  /**
   * Replaces the secret of an account already stored, in place: its index row keeps its
   * place among the target's accounts (storedAt), so the account git gets when it names
   * none stays the same (rotate).
   */
  replace(target: Target, username: string, secret: Secret, metadata: TokenMetadata | 'keep'): Promise<void>;
  /** Removes one account; false when it was not there. */
  remove(target: Target, username: string): Promise<boolean>;
  /** Every target known for a protocol and host, with or without a path. */
  targetsFor(protocol: string, host: string): Promise<Target[]>;
  /** The username stored most recently among these at this target (to pick one when git names none). */
  mostRecent(target: Target, usernames: readonly string[]): Promise<string | undefined>;
  /** Every credential this tool manages, checked against the keychain (which is the truth). */
  list(): Promise<StoredCredential[]>;
  /** The same, saying whether the keychain itself could be searched (list, logout). */
  inventory(): Promise<Inventory>;
  /** Metadata of one credential, if any. */
  metadata(target: Target, username: string): Promise<TokenMetadata | undefined>;
  /** Records new metadata for an existing credential. */
  setMetadata(target: Target, username: string, metadata: TokenMetadata): Promise<void>;
  /** True, and remembered, when no expiry warning was given for this credential in the last day. */
  claimDailyWarning(target: Target, username: string, nowMs: number): Promise<boolean>;
}

export const WARNING_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** The keychain could not be used: unreachable, locked, or too slow. The message says how to fix it. */
export class KeychainUnavailableError extends Error {
  override readonly name = 'KeychainUnavailableError';
}
