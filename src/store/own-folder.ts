// Making the folders our files go in. Root bypasses permissions, so root with another
// user's HOME (`sudo -E git push`, or a sudo that keeps HOME) could make root-owned
// folders in that home, and every later program of its owner that writes there fails.
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** The uid of the nearest folder that exists at or above `path`, and which one it is. */
function nearestExisting(path: string): { folder: string; uid: number } | undefined {
  for (let folder = path; ; folder = dirname(folder)) {
    const info = statSync(folder, { throwIfNoEntry: false });
    if (info) return { folder, uid: info.uid };
    if (dirname(folder) === folder) return undefined;
  }
}

/**
 * Creates `dir` and what is missing above it (0700), except as root inside a folder
 * root does not own: there it throws, saying why, and creates nothing.
 */
export function makeOwnFolder(dir: string, uid: number | undefined = process.getuid?.()): void {
  if (uid === 0) {
    const nearest = nearestExisting(dir);
    if (nearest && nearest.folder !== dir && nearest.uid !== 0) {
      throw new Error(
        `not creating ${dir} as root: ${nearest.folder} belongs to uid ${nearest.uid}, whose programs could no longer write there (is HOME another user's? sudo -E keeps it; use sudo -H)`,
      );
    }
    if (nearest?.folder === dir) return;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}
