// What kind of GitHub token a string is, from its prefix alone. Pure and offline.
export type TokenKind = 'classic' | 'fine-grained' | 'oauth' | 'user-to-server' | 'installation' | 'refresh' | 'app' | 'unknown';

const PREFIXES: ReadonlyArray<readonly [string, TokenKind]> = [
  ['github_pat_', 'fine-grained'],
  ['ghp_', 'classic'],
  ['gho_', 'oauth'],
  ['ghu_', 'user-to-server'],
  ['ghs_', 'installation'],
  ['ghr_', 'refresh'],
];

export function tokenKind(token: string): TokenKind {
  for (const [prefix, kind] of PREFIXES) if (token.startsWith(prefix)) return kind;
  return 'unknown';
}

export const KIND_LABEL: Record<TokenKind, string> = {
  classic: 'classic personal access token',
  'fine-grained': 'fine-grained personal access token',
  oauth: 'OAuth app token',
  'user-to-server': 'GitHub App user token',
  installation: 'GitHub App installation token',
  refresh: 'refresh token (not usable as a password)',
  app: 'GitHub App JWT',
  unknown: 'unknown kind',
};
