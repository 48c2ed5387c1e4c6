// Atlassian API tokens (ATATT…) and Bitbucket app passwords (ATBB…), of varying length.
export const bitbucketTokenPatterns: readonly RegExp[] = [/(ATATT)[A-Za-z0-9_=-]+/g, /(ATBB)[A-Za-z0-9_=-]+/g];
