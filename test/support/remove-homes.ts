// Each test file's HOME folders go when the file ends: before, every run left its
// testHome() folders in tmp (26 000 of them, 5 GB, on one developer machine).
// Registered before the file's own hooks, so with vitest's "stack" order it runs after
// them: a file's afterAll that stops daemons or runs `lock` still has its HOME.
import { afterAll } from 'vitest';
import { removeTestHomes } from './helper-process.js';

afterAll(removeTestHomes);
