// Every forge's token shapes in one list, for redaction. Kept apart from the registry
// so the helper door (which traces) loads patterns, never a forge's API client.
import { githubTokenPatterns } from './github/shapes.js';

export const TOKEN_PATTERNS: readonly RegExp[] = [...githubTokenPatterns];
