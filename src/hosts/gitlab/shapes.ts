// GitLab personal access tokens: glpat- plus 20 characters (classic), or a base64url
// payload with dot-separated version, length and CRC parts (routable). Admins may add
// their own prefix before glpat-. Never a fixed length: GitLab has lengthened them before.
export const gitlabTokenPatterns: readonly RegExp[] = [/(glpat-)[0-9A-Za-z_.-]+/g];
