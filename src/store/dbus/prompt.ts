// Running a Secret Service Prompt the way libsecret's secret_prompt_perform does: ask
// the bus for the prompt's Completed signal first (it may come at once), call
// Prompt with an empty window id, and wait for Completed. A prompt that needs a
// person gets as long as one can take to answer; where no person can (no display,
// git cannot prompt), the deadline is short, and the prompt is dismissed so that
// no dialog is left waiting for nobody.
import { expectBody, type BusConnection, type BusSignal } from './connection.js';
import { SECRETS_NAME } from './secret-service.js';
import type { Variant } from './wire.js';

const PROMPT = 'org.freedesktop.Secret.Prompt';
const BUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' } as const;
/** What a method answers where no prompt is needed. */
export const NO_PROMPT = '/';

export type PromptOutcome =
  | { readonly kind: 'completed'; readonly result: Variant }
  | { readonly kind: 'dismissed' }
  /** Nobody answered it within the deadline (it was dismissed then). */
  | { readonly kind: 'unanswered' };

export async function runPrompt(bus: BusConnection, prompt: string, deadlineMs: number): Promise<PromptOutcome> {
  const rule = `type='signal',interface='${PROMPT}',member='Completed',path='${prompt}'`;
  let done: (outcome: PromptOutcome) => void = () => {};
  const completed = new Promise<PromptOutcome>((resolve) => (done = resolve));
  const stop = bus.onSignal((signal: BusSignal) => {
    if (signal.path !== prompt || signal.interface !== PROMPT || signal.member !== 'Completed') return;
    const [dismissed, result] = expectBody<[boolean, Variant]>(signal, 'bv');
    done(dismissed ? { kind: 'dismissed' } : { kind: 'completed', result });
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await bus.call({ ...BUS, member: 'AddMatch', signature: 's', body: [rule] });
    await bus.call({ destination: SECRETS_NAME, path: prompt, interface: PROMPT, member: 'Prompt', signature: 's', body: [''] });
    const unanswered = new Promise<PromptOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'unanswered' }), deadlineMs);
    });
    const outcome = await Promise.race([completed, unanswered, bus.closed().then((reason) => Promise.reject(reason))]);
    if (outcome.kind === 'unanswered') {
      // Best effort, not awaited for long: the answer changes nothing for us.
      await Promise.race([
        bus.call({ destination: SECRETS_NAME, path: prompt, interface: PROMPT, member: 'Dismiss' }).catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 200)),
      ]);
    }
    return outcome;
  } finally {
    if (timer) clearTimeout(timer);
    stop();
  }
}
