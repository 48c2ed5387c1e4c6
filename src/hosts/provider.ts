// What git-credential-pat needs to know about a forge, behind one interface. A forge is
// a folder under src/hosts/ exporting one HostProvider, plus one line in registry.ts
// (and, when its tokens have a recognisable shape, one in token-shapes.ts).

export const PROVIDER_IDS = ['github', 'gitlab', 'gitea', 'forgejo', 'bitbucket', 'azure-devops', 'generic'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** What a forge's API says about a token. Only `revoked` says the token is dead. */
export type Validation =
  | {
      readonly state: 'valid';
      /** The account the API named; undefined only where the forge cannot tell (GitLab without read_user), never from an answer that should have named it. */
      readonly login: string | undefined;
      /** The token's scopes; null when the forge cannot list them. */
      readonly scopes: readonly string[] | null;
      /** Unix seconds, when the forge tells. */
      readonly expiresAt?: number;
      /** Unix seconds: when the token was made, where the forge tells (GitLab), for a rotation to keep its lifetime. */
      readonly createdAt?: number;
    }
  | { readonly state: 'revoked' }
  | { readonly state: 'forbidden'; readonly reason: 'rate-limited' | 'sso' | 'scope' | 'other'; readonly message: string }
  | { readonly state: 'unreachable'; readonly message: string }
  /** The stored text cannot be sent at all (a control character in it): nothing was sent. */
  | { readonly state: 'unusable'; readonly message: string };

export interface TokenCheck {
  readonly token: string;
  readonly apiBase: string;
  readonly timeoutMs: number;
  /** The account the person named with --username: Bitbucket's API wants the Atlassian email. */
  readonly account?: string | undefined;
}

export interface TokenKind {
  /** For scripts: "classic", "fine-grained". */
  readonly id: string;
  /** For people: "classic personal access token". */
  readonly label: string;
}

/** Where a person creates a token, and what the page has filled in for them. */
export interface TokenPage {
  readonly url: string;
  /** Shown beside the link, e.g. "scopes repo and workflow are filled in; pick an expiry date". */
  readonly note: string;
}

/**
 * Where a token's expiry comes from: the API tells (`reported`), tokens never expire
 * (`never`), or the person types the date the forge showed (`asked`, login --expires).
 */
export type ExpirySource = 'reported' | 'never' | 'asked';

export interface HostProvider {
  readonly id: ProviderId;
  /** The forge's name for people: "GitHub". */
  readonly label: string;
  /** Hosts this forge claims by name alone (github.com, *.ghe.com). */
  claimsHost(host: string): boolean;
  /** The REST API root for a host when git config sets none; undefined when it cannot be known from the host alone. */
  apiBase(host: string): string | undefined;
  /** Asks the forge's API about the token; absent for `generic`, whose tokens are stored unvalidated. */
  readonly validate?: (check: TokenCheck) => Promise<Validation>;
  /** The token-creation page, scopes pre-filled where the forge allows it. */
  tokenPage(host: string, machine: string): TokenPage | undefined;
  /** What kind of token this is, or undefined when its shape says nothing. */
  tokenKind(token: string): TokenKind | undefined;
  /** Warnings about scopes that everyday git needs and the token lacks. */
  scopeWarnings(token: string, scopes: readonly string[] | null): string[];
  /** How `scopes: null` reads for this forge. */
  readonly unlistedScopes: string;
  readonly expiry: ExpirySource;
  /** What --username means to login: the git username (default), or the account the API needs (Bitbucket's email). */
  readonly usernameIs: 'git-username' | 'api-account';
  /** A 401's WWW-Authenticate realm that names this forge, for the login-time probe. */
  readonly realm?: RegExp;
  /** Present where a token can rotate itself through the API (GitLab); absent means the forge has no such API. */
  readonly selfRotation?: SelfRotation;
}

/** What a forge did with a token's request to rotate itself. */
export type Rotation =
  /** The old token is revoked; this one replaces it. */
  | { readonly outcome: 'rotated'; readonly token: string; readonly expiresAt?: number; readonly scopes: readonly string[] | null }
  /** 401: the token is not valid (any more), for instance because it was rotated elsewhere. */
  | { readonly outcome: 'rejected' }
  /** 403: the token lacks the scope. Nothing changed. */
  | { readonly outcome: 'forbidden'; readonly message: string }
  /** Any other answer: the forge did not rotate (a server error is checked again: it may have failed half-way). */
  | { readonly outcome: 'refused'; readonly status: number; readonly message: string }
  /** The forge answered that it rotated, but the new token never arrived whole: the old one is revoked. */
  | { readonly outcome: 'lost'; readonly message: string }
  /** No answer: the forge may or may not have rotated. */
  | { readonly outcome: 'unknown'; readonly message: string }
  /** The token cannot be sent at all: nothing was sent. */
  | { readonly outcome: 'unusable'; readonly message: string };

/** A forge whose tokens can replace themselves through its API (GitLab). */
export interface SelfRotation {
  /** A token with any one of these scopes may rotate itself. */
  readonly scopes: readonly string[];
  /** The longest lifetime, in days, the forge gives a token. */
  readonly maxDays: number;
  /** Asks for a new token expiring on `expiresOn` (YYYY-MM-DD, UTC). Sent once, never retried: a second rotate of the same token is what kills a token family. */
  rotate(check: TokenCheck, expiresOn: string): Promise<Rotation>;
}
