// Where our non-secret state lives: $XDG_STATE_HOME on Linux and macOS, %LOCALAPPDATA%
// on Windows (local, not roaming, like Credential Manager's items), and the move of a
// Windows state folder an older version kept under ~/.local/state.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, win32 } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultIndexPath, type IndexRow, IndexFile, parseIndex, stateDir } from '../src/store/index-file.js';
import { legacyStateDir, moveLegacyState } from '../src/store/state-move.js';

describe('the state folder', () => {
  it('is $XDG_STATE_HOME/git-credential-pat on Linux and macOS, ~/.local/state without it', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      expect(stateDir({ XDG_STATE_HOME: '/x/state', HOME: '/home/a' }, platform)).toBe('/x/state/git-credential-pat');
      expect(stateDir({ HOME: '/home/a' }, platform)).toBe('/home/a/.local/state/git-credential-pat');
    }
  });

  it('is %LOCALAPPDATA%\\git-credential-pat on Windows, whatever XDG_STATE_HOME and HOME say', () => {
    const env = { LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local', XDG_STATE_HOME: '/home/a/.local/state', HOME: 'C:\\Users\\a' };
    expect(stateDir(env, 'win32')).toBe('C:\\Users\\a\\AppData\\Local\\git-credential-pat');
    expect(defaultIndexPath(env, 'win32')).toBe('C:\\Users\\a\\AppData\\Local\\git-credential-pat\\index.json');
  });

  it("is the profile's AppData\\Local on Windows when LOCALAPPDATA is unset (a stripped environment)", () => {
    expect(stateDir({ USERPROFILE: 'C:\\Users\\a' }, 'win32')).toBe('C:\\Users\\a\\AppData\\Local\\git-credential-pat');
  });

  it("the older versions' Windows folder was the Unix rule's, under git's HOME", () => {
    expect(legacyStateDir({ HOME: 'C:\\Users\\a' })).toBe('C:\\Users\\a\\.local\\state\\git-credential-pat');
    expect(legacyStateDir({ HOME: 'C:\\Users\\a', XDG_STATE_HOME: 'D:\\state' })).toBe('D:\\state\\git-credential-pat');
  });

  it("never takes a Unix path for an older Windows folder (under wine it is the Linux side's own state, through Z:)", () => {
    expect(legacyStateDir({ HOME: 'C:\\Users\\a', XDG_STATE_HOME: '/home/a/.local/state' })).toBe('C:\\Users\\a\\.local\\state\\git-credential-pat');
    expect(legacyStateDir({ HOME: '/home/a' })).toBe(win32.join(homedir(), '.local', 'state', 'git-credential-pat'));
  });
});

// The move itself runs here with POSIX paths: the two folders are given, the rule is the same.
describe('moving an older Windows state folder, once, losing nothing', () => {
  const t1 = { protocol: 'https', host: 'one.example' };
  const t2 = { protocol: 'https', host: 'two.example' };

  function folders(): { legacy: string; current: string; parent: string } {
    const parent = mkdtempSync(join(tmpdir(), 'gcp-statemove-'));
    return { parent, legacy: join(parent, 'home', '.local', 'state', 'git-credential-pat'), current: join(parent, 'AppData', 'Local', 'git-credential-pat') };
  }

  function writeIndex(dir: string, rows: IndexRow[]): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ version: 1, items: rows }));
  }

  it('moves the index and setup records when only the old folder exists, and removes it', () => {
    const { legacy, current } = folders();
    writeIndex(legacy, [{ target: t1, username: 'a', storedAt: 1 }]);
    writeFileSync(join(legacy, 'setup.json'), '[{"scope":"global","key":"credential.helper"}]\n');
    expect(moveLegacyState(legacy, current)).toBe(true);
    expect(new IndexFile(join(current, 'index.json')).rows()).toEqual([{ target: t1, username: 'a', storedAt: 1 }]);
    expect(JSON.parse(readFileSync(join(current, 'setup.json'), 'utf8'))).toEqual([{ scope: 'global', key: 'credential.helper' }]);
    expect(existsSync(legacy)).toBe(false);
    expect(moveLegacyState(legacy, current)).toBe(false);
  });

  it('merges the rows when both exist: every row of both, the current one winning for the same account', () => {
    const { legacy, current } = folders();
    writeIndex(legacy, [
      { target: t1, username: 'a', storedAt: 1 },
      { target: t2, username: 'b', storedAt: 1, metadata: { login: 'b', scopes: ['repo'] } },
    ]);
    writeIndex(current, [{ target: t1, username: 'a', storedAt: 5 }]);
    writeFileSync(join(legacy, 'setup.json'), '[{"n":1}]');
    writeFileSync(join(current, 'setup.json'), '[{"n":2},{"n":1}]');
    moveLegacyState(legacy, current);
    const rows = parseIndex(readFileSync(join(current, 'index.json'), 'utf8'));
    expect(rows).toEqual([
      { target: t1, username: 'a', storedAt: 5 },
      { target: t2, username: 'b', storedAt: 1, metadata: { login: 'b', scopes: ['repo'] } },
    ]);
    expect(JSON.parse(readFileSync(join(current, 'setup.json'), 'utf8'))).toEqual([{ n: 2 }, { n: 1 }]);
    expect(existsSync(legacy)).toBe(false);
  });

  it('keeps, beside it, an old folder holding anything it does not know, so nothing is lost and the move still happens once', () => {
    const { legacy, current } = folders();
    writeIndex(legacy, [{ target: t1, username: 'a', storedAt: 1 }]);
    writeFileSync(join(legacy, 'notes.txt'), 'mine');
    mkdirSync(current, { recursive: true });
    writeFileSync(join(current, 'notes.txt'), 'theirs');
    expect(moveLegacyState(legacy, current)).toBe(true);
    expect(existsSync(legacy)).toBe(false);
    const kept = readdirSync(join(legacy, '..')).filter((n) => n.startsWith('git-credential-pat.old'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(legacy, '..', kept[0]!, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(current, 'notes.txt'), 'utf8')).toBe('theirs');
    expect(new IndexFile(join(current, 'index.json')).rows()).toHaveLength(1);
  });

  it('a damaged old index is kept aside, not merged as empty and deleted', () => {
    const { legacy, current } = folders();
    mkdirSync(legacy, { recursive: true });
    writeFileSync(join(legacy, 'index.json'), '{half');
    writeIndex(current, [{ target: t1, username: 'a', storedAt: 1 }]);
    moveLegacyState(legacy, current);
    const kept = readdirSync(join(legacy, '..')).filter((n) => n.startsWith('git-credential-pat.old'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(legacy, '..', kept[0]!, 'index.json'), 'utf8')).toBe('{half');
    expect(new IndexFile(join(current, 'index.json')).rows()).toHaveLength(1);
  });

  it('does nothing, and takes no lock, when there is no old folder', () => {
    const { legacy, current } = folders();
    expect(moveLegacyState(legacy, current)).toBe(false);
    expect(existsSync(current)).toBe(false);
  });
});
