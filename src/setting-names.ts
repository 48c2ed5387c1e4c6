// The names of the settings git-credential-pat reads, and nothing else: the helper
// door and the guide import them from here, so their bundles carry a few short
// strings, not the table of settings with its prose (src/settings.ts, which the man
// page is rendered from, lists each of these names).

// Settings of our own, under git's `credential` section.
export const PAT_GUIDE = 'credential.patGuide';
export const PAT_ENV_FALLBACK = 'credential.patEnvFallback';
/** Per host only: credential.https://HOST.patApiUrl. */
export const PAT_API_URL = 'patApiUrl';
/** Per host only: credential.https://HOST.patProvider. */
export const PAT_PROVIDER = 'patProvider';

// git's own keys, read to act as git does.
export const GIT_HELPER = 'credential.helper';
export const GIT_USERNAME = 'credential.username';
export const GIT_USE_HTTP_PATH = 'credential.useHttpPath';
export const GIT_INTERACTIVE = 'credential.interactive';

// Environment variables of our own.
export const ENV_TRACE = 'GIT_CREDENTIAL_PAT_TRACE';
export const ENV_API_URL = 'GIT_CREDENTIAL_PAT_API_URL';
export const ENV_API_TIMEOUT = 'GIT_CREDENTIAL_PAT_API_TIMEOUT_MS';
export const ENV_CODE_CACHE = 'GIT_CREDENTIAL_PAT_CODE_CACHE';
