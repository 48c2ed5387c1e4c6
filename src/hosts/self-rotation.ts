// Whether a stored token can renew itself through its forge's API, judged from what
// the index recorded (forge and scopes) without asking anyone: the expiry reminders
// of get, status and doctor say `rotate` only where it would work. Pure; loaded by
// the helper door, so it imports constants only.
import { GITLAB_ROTATION_SCOPES } from './gitlab/rotation-scopes.js';

const ROTATION_SCOPES: Readonly<Record<string, readonly string[]>> = { gitlab: GITLAB_ROTATION_SCOPES };

/** Unknown scopes (null or absent) are not enough: the reminder must not promise what may fail. */
export function canSelfRotate(metadata: { readonly provider?: string; readonly scopes?: readonly string[] | null } | undefined): boolean {
  const provider = metadata?.provider;
  const allowing = provider !== undefined && Object.hasOwn(ROTATION_SCOPES, provider) ? ROTATION_SCOPES[provider] : undefined;
  return allowing !== undefined && (metadata?.scopes ?? []).some((scope) => allowing.includes(scope));
}
