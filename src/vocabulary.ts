// The words every command uses for the same things, defined once: list's table and
// JSON, doctor's tally, status and login all say a token's kind and its validation
// in these words, so no two screens name one thing differently.

/** The kind of a token whose shape no forge claims (list's KIND column, --json's kind, doctor's tally). */
export const UNKNOWN_KIND = 'unknown';

/** The same in a sentence: "Stored a token of unknown kind". */
export const UNKNOWN_KIND_LABEL = `token of ${UNKNOWN_KIND} kind`;

/** When the forge last confirmed a token, where it never did (a generic host, --no-verify, a token git stored). */
export const NEVER_VALIDATED = 'never';
