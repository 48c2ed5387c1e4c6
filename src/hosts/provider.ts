// What git-credential-pat needs to know about a forge, behind one interface. A forge is
// a folder under src/hosts/ exporting one HostProvider, plus one line in registry.ts.

export type ProviderId = 'github';

/** What a forge's API says about a token. Only `revoked` says the token is dead. */
export type Validation =
  | {
      readonly state: 'valid';
      /** The account the API named; a provider never reports `valid` without one. */
      readonly login: string;
      /** The token's scopes; null when the forge cannot list them. */
      readonly scopes: readonly string[] | null;
      /** Unix seconds, when the forge tells. */
      readonly expiresAt?: number;
    }
  | { readonly state: 'revoked' }
  | { readonly state: 'forbidden'; readonly reason: 'rate-limited' | 'sso' | 'other'; readonly message: string }
  | { readonly state: 'unreachable'; readonly message: string };

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

export interface HostProvider {
  readonly id: ProviderId;
  /** The forge's name for people: "GitHub". */
  readonly label: string;
  /** Hosts this forge claims by name alone (github.com, *.ghe.com). */
  claimsHost(host: string): boolean;
  /** The REST API root for a host, when the host does not configure one. */
  apiBase(host: string): string;
  /** Asks the forge's API who the token belongs to. */
  validate(token: string, apiBase: string, timeoutMs: number): Promise<Validation>;
  /** The token-creation page, scopes pre-filled where the forge allows it. */
  tokenPage(host: string, machine: string): TokenPage;
  /** What kind of token this is ("classic", "classic personal access token"), or undefined when its shape says nothing. */
  tokenKind(token: string): TokenKind | undefined;
  /** Warnings about scopes that everyday git needs and the token lacks. */
  scopeWarnings(token: string, scopes: readonly string[] | null): string[];
  /** Token shapes of this forge, for redaction: each match keeps its group 1 (the prefix) and loses the rest. */
  readonly tokenPatterns: readonly RegExp[];
}
