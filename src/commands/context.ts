// What every management command gets: its I/O, the store, git's config, the clock.
import type { GitConfig } from '../git-config.js';
import type { CredentialStore } from '../store/credential-store.js';
import type { Terminal } from '../terminal.js';

export interface CommandContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream;
  readonly out: (text: string) => Promise<void>;
  readonly err: (text: string) => void;
  /** Present only when a person is at a terminal. */
  readonly terminal: Terminal | undefined;
  readonly store: () => CredentialStore;
  readonly git: GitConfig;
  readonly now: () => number;
}
