// Whether a get that found nothing should load the guide to ask a person for a token.
import type { Query } from './credential.js';
import { terminalPromptAllowed } from './git-boolean.js';
import { terminalPresent } from './terminal-present.js';

/** Cheap checks only: IDEs, CI and cron must not pay for loading the guide. */
export function guideMayAsk(query: Query, env: NodeJS.ProcessEnv): boolean {
  return query.target.protocol === 'https' && terminalPromptAllowed(env) && terminalPresent();
}
