// What setup (and login's offer to wire git) added to git config, so `setup --undo`
// can take back exactly that. Kept beside the index.
import { join } from 'node:path';
import type { ConfigScope } from './git-config.js';
import { readOwnFile, stateDir, writeFileAtomic } from './store/index-file.js';
import { moveWindowsState } from './store/state-move.js';

export interface SetupRecord {
  scope: ConfigScope;
  key: string;
  /** Values setup added, in order; an empty string is the reset line. */
  added: string[];
}

/** What setup did, so --undo can take back exactly that. Kept beside the index. */
export class SetupRecords {
  private readonly path: string;

  constructor(env: NodeJS.ProcessEnv) {
    moveWindowsState(env);
    this.path = join(stateDir(env), 'setup.json');
  }

  add(record: SetupRecord): void {
    writeFileAtomic(this.path, JSON.stringify([...this.all(), record], null, 1) + '\n');
  }

  recorded(scope: ConfigScope, key: string): SetupRecord[] {
    return this.all().filter((r) => r.scope === scope && r.key === key);
  }

  take(scope: ConfigScope, key: string): SetupRecord[] {
    const all = this.all();
    const taken = all.filter((r) => r.scope === scope && r.key === key);
    writeFileAtomic(this.path, JSON.stringify(all.filter((r) => !taken.includes(r)), null, 1) + '\n');
    return taken;
  }

  private all(): SetupRecord[] {
    try {
      const parsed = JSON.parse(readOwnFile(this.path) ?? '[]') as unknown;
      return Array.isArray(parsed) ? (parsed as SetupRecord[]) : [];
    } catch {
      return [];
    }
  }
}

