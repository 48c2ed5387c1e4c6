// When a keychain call is slow or fails, what is wrong with the Secret Service?
// A clock cannot say: under load (two hundred helpers at once on two cores) a live
// service answers late, and a fixed timeout then reads "busy" as "dead". So the
// helper asks. The bus says whether anyone owns org.freedesktop.secrets and which
// process it is; the kernel says whether that process is stopped and whether it is
// doing any work; the service itself says whether its collection is locked. Only
// those answers lead to a conclusion; the library's error text never does.
//
// This module is the policy (what to ask, when, and what follows). The asking is
// injected (ServiceQuestions), so the policy is tested without a bus.
import type { ProviderKind } from './secret-service-provider.js';

/** What asking found. */
export type Health =
  /** No session bus to ask. */
  | 'no-bus'
  /** The bus daemon itself did not answer its own question (NameHasOwner) within the patience, and did no work meanwhile: stopped or hung. */
  | 'bus-silent'
  /** The bus daemon did not answer yet, but it spent CPU meanwhile: busy serving others, not dead. */
  | 'bus-working'
  /** The bus answers, but nobody owns org.freedesktop.secrets. */
  | 'no-service'
  /** Its process is stopped or exiting: it will answer no one. */
  | 'not-running'
  /** Its default collection says Locked. */
  | 'locked'
  /** It answers, but has no default collection: nothing will be stored or found until a person makes one. */
  | 'no-collection'
  /** It answered a question, or spent CPU on work, since we last looked: busy, not dead. */
  | 'working'
  /** Alive on the bus, but it neither answered nor worked while we watched. */
  | 'stuck'
  /** We could not ask (an address our client cannot open, a platform without D-Bus). */
  | 'unknown';

export type OwnerAnswer =
  | { readonly kind: 'unreachable' }
  /** Our client cannot talk to this bus (an address kind or authentication it lacks). */
  | { readonly kind: 'cannot-ask' }
  | { readonly kind: 'none' }
  /** pid is undefined when the bus does not say (or says something we cannot use). */
  | { readonly kind: 'owned'; readonly pid: number | undefined };

/** The kernel's view of a process. */
export interface ProcessView {
  /** /proc/PID/stat's state letter: R, S, D, T, t, Z, X... */
  readonly state: string;
  /** CPU time it has used, in nanoseconds. */
  readonly cpuNs: number;
  /** Bytes it has had read from and written to storage (/proc/PID/io); absent where the kernel will not say (a process that made itself undumpable). */
  readonly ioBytes?: number | undefined;
}

export interface ServiceQuestions {
  /** Asked of the bus daemon, never of the Secret Service, so a busy service cannot delay it. */
  owner(): Promise<OwnerAnswer>;
  /** undefined when the process cannot be seen (another PID namespace, hidepid, gone). */
  process(pid: number): ProcessView | undefined;
  /** The default collection's Locked property; undefined when there is no default collection. Answered late by a busy service. */
  locked(): Promise<boolean | undefined>;
  /** Who serves (gnome-keyring, KeePassXC, KWallet...): asked only to word a failure. */
  provider?(): Promise<ProviderKind | undefined>;
  /** Whether KWallet runs on this bus: where nobody serves, its Secret Service API is off. Asked only to word a failure. */
  kwalletRuns?(): Promise<boolean>;
  /** The processes serving the bus, found without asking it (bus-daemon.ts): asked only when the bus is silent. */
  busDaemons?(): readonly number[];
}

/** Stopped by a signal or the debugger, or a zombie: no answer will come. */
const NOT_RUNNING_STATES = new Set(['T', 't', 'Z', 'X', 'x']);
/** Waiting on the disk: gnome-keyring rewrites and syncs its keyring file on every write, in its one thread. */
const DISK_WAIT = 'D';

/**
 * Looks at the Secret Service, once. `patience` resolves when we have waited long
 * enough for the service to answer the Locked question; what decides "stuck" over
 * "working" is then whether it did work meanwhile (CPU, or the disk), not the wait itself.
 * `previous` is the work seen at the last look, so a service seen working needs no
 * further question (which would only lengthen its queue).
 */
export async function lookAtService(
  questions: ServiceQuestions,
  patience: () => Promise<void>,
  previous?: Sighting,
): Promise<Sighting> {
  const asked = questions.owner();
  let owner = await Promise.race([asked, patience().then(() => SILENT)]);
  if (owner.kind === 'silent') {
    const bus = await lookAtSilentBus(questions, asked, patience, previous);
    if ('health' in bus) return bus;
    owner = bus; // it answered while we looked: go on from its answer
  }
  if (owner.kind === 'unreachable') return { health: 'no-bus' };
  if (owner.kind === 'cannot-ask') return { health: 'unknown' };
  if (owner.kind === 'none') return { health: 'no-service' };
  const seen = owner.pid === undefined ? undefined : questions.process(owner.pid);
  if (seen && NOT_RUNNING_STATES.has(seen.state)) return { health: 'not-running' };
  const before = seen && owner.pid !== undefined ? { pid: owner.pid, cpuNs: seen.cpuNs, ioBytes: seen.ioBytes, diskWait: seen.state === DISK_WAIT } : undefined;
  const since = before && previous?.work?.pid === before.pid ? workBetween(previous.work, before) : undefined;
  if (since?.cpu || since?.disk) return working(before, since.disk);
  const answer = await Promise.race([
    questions.locked().then(
      (locked) => ({ kind: 'answered', locked }) as const,
      () => ({ kind: 'refused' }) as const,
    ),
    patience().then(() => SILENT),
  ]);
  if (answer.kind === 'answered') {
    // No default collection is not "busy": a person must make one (expose a KeePassXC group, create a wallet).
    if (answer.locked === undefined) return { health: 'no-collection' };
    return answer.locked ? { health: 'locked' } : working(before, before?.diskWait ?? false);
  }
  // A refusal (an error reply) still came from a running main loop.
  if (answer.kind === 'refused') return working(before, before?.diskWait ?? false);
  const later = before ? questions.process(before.pid) : undefined;
  if (later && NOT_RUNNING_STATES.has(later.state)) return { health: 'not-running' };
  if (before && later) {
    const after = { pid: before.pid, cpuNs: later.cpuNs, ioBytes: later.ioBytes, diskWait: later.state === DISK_WAIT };
    const during = workBetween(before, after);
    if (during.cpu || during.disk) return working(after, during.disk);
  }
  return { health: 'stuck' };
}

const SILENT = { kind: 'silent' } as const;

/**
 * The bus daemon answers its own questions at once however busy the Secret Service
 * is, so silence is the bus's. It is stopped or hung unless the kernel shows it
 * working: then it is busy with others (many clients connecting at once) and is
 * waited on like a working Secret Service. Its late answer, if one comes while we
 * look, is returned instead.
 */
async function lookAtSilentBus(questions: ServiceQuestions, asked: Promise<OwnerAnswer>, patience: () => Promise<void>, previous: Sighting | undefined): Promise<Sighting | OwnerAnswer> {
  const pids = questions.busDaemons?.() ?? [];
  const before = busWork(questions, pids);
  if (before.as) return { health: 'bus-silent', busSeen: { pids, as: before.as } };
  if (previous?.bus && samePids(previous.bus, before) && before.cpuNs > previous.bus.cpuNs) return { health: 'bus-working', bus: before };
  const late = await Promise.race([asked, patience().then(() => SILENT)]);
  if (late.kind !== 'silent') return late;
  const after = busWork(questions, pids);
  if (after.as) return { health: 'bus-silent', busSeen: { pids, as: after.as } };
  return samePids(before, after) && after.cpuNs > before.cpuNs ? { health: 'bus-working', bus: after } : { health: 'bus-silent', busSeen: { pids, as: 'idle' } };
}

/** The CPU the bus's processes have used, while at least one of them runs; else why not. */
function busWork(questions: ServiceQuestions, pids: readonly number[]): BusWork & { readonly as?: undefined } | { readonly as: 'unseen' | 'stopped' } {
  const seen = pids.flatMap((pid) => {
    const view = questions.process(pid);
    return view ? [{ pid, view }] : [];
  });
  if (seen.length === 0) return { as: 'unseen' };
  if (seen.every(({ view }) => NOT_RUNNING_STATES.has(view.state))) return { as: 'stopped' };
  return { pids: seen.map(({ pid }) => pid), cpuNs: seen.reduce((sum, { view }) => sum + view.cpuNs, 0) };
}

function samePids(a: BusWork, b: BusWork): boolean {
  return a.pids.length === b.pids.length && a.pids.every((pid, i) => pid === b.pids[i]);
}

/** What a process did between two looks: CPU, and the disk (bytes moved, or found waiting on it at either look). */
function workBetween(earlier: Work, later: Work): { readonly cpu: boolean; readonly disk: boolean } {
  const moved = earlier.ioBytes !== undefined && later.ioBytes !== undefined && later.ioBytes > earlier.ioBytes;
  return { cpu: later.cpuNs > earlier.cpuNs, disk: moved || earlier.diskWait || later.diskWait };
}

function working(work: Work | undefined, disk: boolean): Sighting {
  return { health: 'working', disk, ...(work ? { work } : {}) };
}

interface Work {
  readonly pid: number;
  readonly cpuNs: number;
  readonly ioBytes: number | undefined;
  readonly diskWait: boolean;
}

export interface BusSeen {
  readonly pids: readonly number[];
  /** Not found ('unseen'), stopped by a signal or exiting, or running but doing no work ('idle'). */
  readonly as: 'unseen' | 'stopped' | 'idle';
}

interface BusWork {
  readonly pids: readonly number[];
  readonly cpuNs: number;
}

export interface Sighting {
  readonly health: Health;
  readonly work?: Work;
  /** The bus daemon's work, when the bus was the silent one. */
  readonly bus?: BusWork;
  /** What the kernel showed of a silent bus's daemon: its message says so. */
  readonly busSeen?: BusSeen;
  /**
   * Seen working on the disk since the last look: it works through writes that each
   * wait on the disk (two hundred stores on a slow disk), not on a prompt a person
   * has not answered, which costs no disk. A call queued behind them is given longer.
   */
  readonly disk?: boolean;
}

/** Why the helper gives up; the message for each is worded in keychain.ts. */
export type KeychainFailure =
  | 'no-bus'
  /** The bus daemon did not answer within the timeout. */
  | 'bus-not-answering'
  /** The bus daemon, alive and working, still did not answer at the busy limit. */
  | 'bus-busy'
  | 'no-service'
  | 'locked'
  | 'no-collection'
  /** Dead to us: stopped, stuck, or (where we cannot ask) silent past the timeout. */
  | 'not-answering'
  /** Alive and working, but still no answer at the busy limit. */
  | 'busy'
  /** The library failed for a reason asking does not explain: its own words are passed on. */
  | 'library';

export type Verdict = { readonly kind: 'wait' } | { readonly kind: 'retry' } | { readonly kind: 'fail'; readonly failure: KeychainFailure };

export interface Situation {
  readonly health: Health;
  /** The call is still pending (our timeout asked), or it failed (the library answered with an error). */
  readonly call: 'pending' | 'failed';
  /** The library's error is one that repeating the call can cure: its own reply timeout. */
  readonly retryable: boolean;
  /** Time this process has run since the call began, in ms. */
  readonly ranMs: number;
  /** Past this, even a working service is given up on... */
  readonly busyLimitMs: number;
  /** ...unless it was seen working on the disk at this look: then past this. */
  readonly diskLimitMs: number;
  /** This look saw it working on the disk (Sighting.disk). */
  readonly disk: boolean;
}

/** What follows from what asking found. Pure. */
export function verdict(s: Situation): Verdict {
  switch (s.health) {
    case 'no-bus':
    case 'no-service':
    case 'locked':
    case 'no-collection':
      return fail(s.health);
    case 'bus-silent':
      return fail('bus-not-answering');
    case 'not-running':
    case 'stuck':
      return fail('not-answering');
    case 'unknown':
      return fail(s.call === 'pending' ? 'not-answering' : 'library');
    case 'bus-working':
    case 'working':
      if (s.call === 'failed' && !s.retryable) return fail('library');
      if (s.ranMs >= (s.disk ? Math.max(s.busyLimitMs, s.diskLimitMs) : s.busyLimitMs)) return fail(s.health === 'working' ? 'busy' : 'bus-busy');
      return s.call === 'pending' ? { kind: 'wait' } : { kind: 'retry' };
  }
}

/**
 * How long to wait before repeating a call the library gave up on (its own short
 * reply timeout) while the service works through a queue: a random share ("full
 * jitter") of a window that doubles with each retry. Repeating at once would only
 * lengthen the queue that made the call late: the service still works through the
 * abandoned request, so a burst that retries without pause collapses.
 */
export function retryDelayMs(retry: number, random: () => number = Math.random): number {
  const window = Math.min(RETRY_WINDOW_MS * 2 ** Math.max(0, retry - 1), MAX_RETRY_WINDOW_MS);
  return Math.floor(random() * window);
}

const RETRY_WINDOW_MS = 1000;
const MAX_RETRY_WINDOW_MS = 8000;

function fail(failure: KeychainFailure): Verdict {
  return { kind: 'fail', failure };
}
