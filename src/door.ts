// The helper door: git's get/store/erase, bundled on its own (dist/door.cjs) so the
// hot path loads one file, the keychain binding, and nothing else: no stream
// machinery (stdin and stdout are plain file descriptors), no GitHub code.
import { writeSync } from 'node:fs';
import { credentialOf, queryOf, type Query, type Target } from './credential.js';
import { envFallbackEnabled } from './env-fallback.js';
import { exitProcess } from './exit.js';
import { guideMayAsk } from './guide-wanted.js';
import { erase, formatAnswer, get, store, type Answer, type HelperOptions } from './helper.js';
import { encodeGitBytes } from './git-bytes.js';
import { formatAttributes, parseAttributes, ProtocolError, single } from './protocol.js';
import { readRequestSync } from './read-request.js';
import { discoverPrivateBus } from './private-bus/discover.js';
import { KeychainUnavailableError, type CredentialStore } from './store/credential-store.js';
import { openKeychainStore } from './store/keychain.js';
import { secretServiceReader } from './store/secret-service-reader.js';
import type { HandedOver } from './quick-door.js';
import { describeRequest, elapsed, holdSecret, openTrace, type Trace } from './trace.js';
import { nowMs } from './clock.js';

export type HelperAction = 'get' | 'store' | 'erase';

export interface DoorIo {
  readonly request: Uint8Array;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly store: () => CredentialStore;
  readonly trace?: Trace | undefined;
  /** Environment tokens (GH_TOKEN...) for the fallback; absent means none. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly envFallbackEnabled?: ((target: Target) => Promise<boolean>) | undefined;
  /** Asks a person at the terminal for a token when nothing answers (dist/guide.cjs). */
  readonly guide?: ((query: Query, store: CredentialStore) => Promise<Answer | undefined>) | undefined;
}

export async function runHelperAction(action: HelperAction, io: DoorIo): Promise<number> {
  const { trace } = io;
  if (!trace) return runAction(action, io);
  const start = nowMs();
  const code = await runAction(action, io);
  trace(`exit ${code} (${elapsed(start)})`);
  return code;
}

async function runAction(action: HelperAction, io: DoorIo): Promise<number> {
  const { trace } = io;
  const options: HelperOptions = { trace, env: io.env, envFallbackEnabled: io.envFallbackEnabled };
  try {
    const attributes = parseAttributes(io.request);
    // Only when tracing: nothing else on this path prints text that could hold them.
    if (trace) for (const key of ['password', 'oauth_refresh_token']) holdSecret(single(attributes, key));
    trace?.(`request ${describeRequest(attributes)}`);
    if (action === 'get') {
      const query = queryOf(attributes);
      if (!query) {
        trace?.('no protocol, or neither host nor path: nothing to look up');
        return 0;
      }
      const store = io.store();
      const { answer, notices } = await get(store, query, Date.now(), options);
      for (const notice of notices) io.stderr(`git-credential-pat: ${notice}\n`);
      const given = answer ?? (io.guide ? await io.guide(query, store) : undefined);
      if (given) io.stdout(formatAttributes(formatAnswer(given)));
    } else if (action === 'store') {
      const credential = credentialOf(attributes);
      if (credential) await store(io.store(), credential, options);
      else trace?.('no protocol, host, username or password: nothing to store');
    } else {
      const query = queryOf(attributes);
      if (query) await erase(io.store(), query, options);
      else trace?.('no protocol, or neither host nor path: nothing to erase');
    }
    return 0;
  } catch (error) {
    const failure = describeFailure(error);
    trace?.(failure);
    io.stderr(`git-credential-pat: ${failure}\n`);
    return 1;
  }
}

/** One line, no stack: messages never include attribute values or tokens, so no secret can surface here. */
export function describeFailure(error: unknown): string {
  // By name: the quick door's bundle has its own copy of the class (src/quick-door.ts).
  if (error instanceof ProtocolError || (error instanceof Error && error.name === 'ProtocolError')) return `invalid input from git: ${error.message}`;
  if (error instanceof KeychainUnavailableError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0] || 'unexpected error';
}

/**
 * Entry point of dist/door.cjs. When the quick door (src/quick-door.ts) hands an
 * action over, it has read git's request already, and may have waited on the keychain.
 */
export async function door(action: HelperAction, handedOver?: HandedOver): Promise<void> {
  // Bytes git sent that are not UTF-8 go back exactly as they came (src/git-bytes.ts).
  const write = (fd: number) => (text: string) => {
    writeSync(fd, encodeGitBytes(text));
  };
  const env = process.env;
  // The one cost of tracing when it is off: reading this variable.
  const trace = env.GIT_CREDENTIAL_PAT_TRACE ? openTrace(env.GIT_CREDENTIAL_PAT_TRACE, action, env) : undefined;
  let code: number;
  try {
    code = await runHelperAction(action, {
      request: handedOver ? handedOver.readRequest() : readRequestSync(0),
      stdout: write(1),
      stderr: write(2),
      store: () => {
        // Before the first keychain call: libdbus reads the bus address once.
        if (discoverPrivateBus(env)) trace?.(`using the private bus of unlock: ${env.DBUS_SESSION_BUS_ADDRESS}`);
        // On Linux, reads go over our own D-Bus client (on the same address): no native binding on a hit.
        return openKeychainStore(env, trace, process.platform === 'linux' ? secretServiceReader(env) : undefined, handedOver?.keychainWaitedMs);
      },
      trace,
      env,
      envFallbackEnabled: (target) => envFallbackEnabled(target.host, env, trace),
      guide: (query, store) => {
        if (!guideMayAsk(query, env)) return Promise.resolve(undefined);
        trace?.('nothing answered: loading the guide to ask whether a person is there');
        // A separate bundle, loaded only here: the common get never pays for it.
        const { guideIfInteractive } = require(`${__dirname}/guide.cjs`) as typeof import('./guide.js');
        return guideIfInteractive({ target: { protocol: 'https', host: query.target.host }, ...(query.username ? { username: query.username } : {}) }, env, store);
      },
    });
  } catch (error) {
    const failure = describeFailure(error);
    trace?.(failure);
    write(2)(`git-credential-pat: ${failure}\n`);
    code = 1;
  }
  exitProcess(code, true);
}
