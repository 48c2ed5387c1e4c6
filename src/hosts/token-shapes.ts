// Every forge's token shapes in one list, for redaction. Kept apart from the registry
// so the helper door (which traces) loads patterns, never a forge's API client.
// Gitea's and Forgejo's tokens (40 hex characters) have no shape: redacted by value.
import { azureTokenPatterns } from './azure-devops/shapes.js';
import { bitbucketTokenPatterns } from './bitbucket/shapes.js';
import { githubTokenPatterns } from './github/shapes.js';
import { gitlabTokenPatterns } from './gitlab/shapes.js';

export const TOKEN_PATTERNS: readonly RegExp[] = [...githubTokenPatterns, ...gitlabTokenPatterns, ...bitbucketTokenPatterns, ...azureTokenPatterns];
