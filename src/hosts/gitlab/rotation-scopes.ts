// Which GitLab scopes let a personal access token rotate itself: `api` since 16.10,
// and the narrower `self_rotate` on newer releases (../../../../shared/FORGES.md).
// Pure constants: the helper door reads them to word its expiry reminder.
export const GITLAB_ROTATION_SCOPES: readonly string[] = ['api', 'self_rotate'];

/** GitLab's default and maximum token lifetime (400 behind a flag since 17.6: never assumed). */
export const GITLAB_MAX_LIFETIME_DAYS = 365;
