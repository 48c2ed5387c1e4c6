// GitHub's token prefixes, for redaction: ghp_ classic, github_pat_ fine-grained,
// gho_/ghu_/ghs_/ghr_ OAuth, user-to-server, installation and refresh tokens.
export const githubTokenPatterns: readonly RegExp[] = [/(gh[pousr]_|github_pat_)[A-Za-z0-9_]+/g];
