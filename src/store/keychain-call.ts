// One keychain call, watched: past the timeout, or when the library fails, the
// helper asks what is wrong with the Secret Service (keychain-health.ts) and waits,
// repeats the call, or gives up with the reason it found.
import { markAbandonedNativeWork } from '../exit.js';
import type { Trace } from '../trace.js';
import { KeychainUnavailableError } from './credential-store.js';
import { lookAtService, retryDelayMs, verdict, type KeychainFailure, type ServiceQuestions, type Sighting, type Situation } from './keychain-health.js';
import { RunClock } from './run-clock.js';

export interface CallWatch {
  /** When a call still pending makes the helper ask what is wrong (and how long it then waits for an answer). */
  readonly timeoutMs: number;
  /** When the first question comes, if sooner: this process's keychain was already waited on that long (the quick door). */
  readonly firstAskMs?: number | undefined;
  /** Past this much run time even a working service is given up on... */
  readonly busyLimitMs: number;
  /** ...unless it is seen working on the disk (keychain-health.ts): then past this. */
  readonly diskLimitMs: number;
  /**
   * Whether a native keychain call is still running in the thread pool. Only then does
   * an abandoned call keep the process from exiting (src/exit.ts); one of our own
   * client's ends with its connection.
   */
  readonly nativePending: () => boolean;
  /** Absent where nothing can be asked (no D-Bus on this platform). */
  readonly questions?: (() => ServiceQuestions & { close(): void }) | undefined;
  /** The one line for a failure; `asked` says whether the Secret Service could be asked, `ranMs` how long the call was waited on, `seen` what the last look found. */
  readonly explain: (failure: KeychainFailure, error: unknown, asked: boolean, ranMs: number, seen: Sighting) => string | Promise<string>;
  readonly trace?: Trace | undefined;
}

export async function watchedCall<T>(operation: (signal: AbortSignal) => Promise<T>, watch: CallWatch): Promise<T> {
  const { timeoutMs, busyLimitMs, diskLimitMs, trace } = watch;
  const clock = new RunClock();
  const questions = watch.questions?.();
  let controller = new AbortController();
  let attempt = start(operation, controller.signal);
  let previous: Sighting | undefined;
  let askAt = Math.min(timeoutMs, watch.firstAskMs ?? timeoutMs);
  let retries = 0;
  try {
    for (;;) {
      const first = await Promise.race([attempt, clock.after(askAt).then(() => undefined)]);
      if (first?.ok) return first.value;
      // Our own client already knows what is wrong and what to say: nothing to ask.
      if (first && first.error instanceof KeychainUnavailableError) throw first.error;
      // Ask; an answer to the call itself that comes first is taken.
      const look = questions
        ? lookAtService(questions, () => clock.after(clock.ranMs() + timeoutMs), previous)
        : Promise.resolve<Sighting>({ health: 'unknown' });
      // Even asking is bounded: a bus daemon that stops answering must not hang git.
      const unanswered = clock.after(Math.max(busyLimitMs, clock.ranMs() + timeoutMs)).then(() => ({ sighting: { health: 'stuck' } as Sighting }) as const);
      const looked = await Promise.race([look.then((sighting) => ({ sighting }) as const), unanswered, first ? new Promise<never>(() => {}) : attempt]);
      if ('ok' in looked) {
        if (looked.ok) return looked.value;
        continue; // it failed while we asked: take that failure next round
      }
      previous = looked.sighting;
      const situation: Situation = {
        health: looked.sighting.health,
        call: first ? 'failed' : 'pending',
        retryable: first ? isReplyTimeout(first.error) : false,
        ranMs: clock.ranMs(),
        busyLimitMs,
        diskLimitMs,
        disk: looked.sighting.disk ?? false,
      };
      const next = verdict(situation);
      trace?.(
        `keychain call ${situation.call} after ${Math.round(situation.ranMs)} ms of run time; the Secret Service looks ${situation.health}${situation.disk ? ' (on the disk)' : ''}: ${next.kind === 'fail' ? `giving up (${next.failure})` : next.kind}`,
      );
      if (next.kind === 'fail') {
        if (!first) {
          controller.abort();
          if (watch.nativePending()) markAbandonedNativeWork();
        }
        throw new KeychainUnavailableError(await watch.explain(next.failure, first?.error, situation.health !== 'unknown', situation.ranMs, looked.sighting));
      }
      if (next.kind === 'retry') {
        retries++;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs(retries)));
        controller = new AbortController();
        attempt = start(operation, controller.signal);
      }
      askAt = clock.ranMs() + timeoutMs;
    }
  } finally {
    clock.stop();
    questions?.close();
  }
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** The binding's constructor connects synchronously and can throw: that is a failed call too. */
function start<T>(operation: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<Settled<T>> {
  let promise: Promise<T>;
  try {
    promise = operation(signal);
  } catch (error) {
    promise = Promise.reject(error);
  }
  return promise.then(
    (value) => ({ ok: true, value }) as const,
    (error: unknown) => ({ ok: false, error }) as const,
  );
}

/** The binding's own per-call reply timeout (libdbus's NoReply, 2 s in dbus-secret-service): the call may be repeated. */
function isReplyTimeout(error: unknown): boolean {
  return error instanceof Error && /Did not receive a reply/.test(error.message);
}

