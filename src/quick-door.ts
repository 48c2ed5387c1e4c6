// The quick door (dist/quick.cjs): what nearly every `get` and `store` git runs comes
// to. A hit, a miss with nothing else to try, and a store of what is already stored
// are answered here, from a bundle that holds only what those need: the request
// reader, matching, the index read and our own Secret Service client. Anything more
// (a write, a locked or asking keychain, an expiry reminder, the environment
// fallback, the guide, an error to explain, tracing) is handed to the whole door
// (dist/door.cjs), which does the operation from the start; nothing here has
// written or printed anything by then. Linux only: elsewhere the keychain is the
// native binding's, which only the whole door loads.
import { writeSync } from 'node:fs';
import { credentialOf, queryOf } from './credential.js';
import { envToken } from './env-fallback.js';
import { guideMayAsk } from './guide-wanted.js';
import { formatAnswer, get, store } from './helper.js';
import { encodeGitBytes } from './git-bytes.js';
import { formatAttributes, parseAttributes } from './protocol.js';
import { readRequestSync } from './read-request.js';
import { discoverPrivateBus } from './private-bus/discover.js';
import { IndexFile, defaultIndexPath } from './store/index-file.js';
import { IndexedStore } from './store/indexed-store.js';
import { ReaderOnlySecrets, ReadOnlyStore } from './store/read-only-store.js';
import { secretServiceReader, type SecretReader } from './store/secret-service-reader.js';

/**
 * How long one lookup may take here, in run time, before the whole door takes over.
 * The whole door's headless timeout, so that two hundred helpers at once on a starved
 * machine do not hand over for nothing; the whole door then asks what is wrong at
 * once (HandedOver.keychainWaitedMs). On a desktop a keychain that wants a person
 * answers at once, with a prompt, which is handed over.
 */
const QUICK_DEADLINE_MS = 2000;

/** What the whole door needs to take an action over. */
export interface HandedOver {
  /** git's request, or what reading it threw. */
  readonly readRequest: () => Uint8Array;
  /** Run time already spent here on a keychain that did not answer. */
  readonly keychainWaitedMs: number;
}

/** Entry point of dist/quick.cjs: undefined when answered, else what the whole door needs to do it. */
export async function quick(action: 'get' | 'store', env: NodeJS.ProcessEnv = process.env): Promise<HandedOver | undefined> {
  let request: Uint8Array;
  try {
    request = readRequestSync(0);
  } catch (error) {
    return {
      readRequest: () => {
        throw error;
      },
      keychainWaitedMs: 0,
    };
  }
  let reader: SecretReader | undefined;
  let secrets: ReaderOnlySecrets | undefined;
  try {
    discoverPrivateBus(env);
    // No prompt is ever run here (person: false): a keychain that wants one is handed over.
    reader = secretServiceReader(env, process.versions.node, { person: false });
    if (reader) {
      secrets = new ReaderOnlySecrets(reader, QUICK_DEADLINE_MS);
      if (await answer(action, request, secrets, env)) return undefined;
    }
  } catch {
    // Whatever went wrong, the whole door meets it again and says it in its own words.
  }
  // Our session and connection end before the whole door may write (SecretServiceReader.release).
  await reader?.release?.();
  return { readRequest: () => request, keychainWaitedMs: secrets?.waitedMs ?? 0 };
}

/** true once the action is done: an answer written, a miss with nothing else to try, a store with nothing to change. */
async function answer(action: 'get' | 'store', request: Uint8Array, secrets: ReaderOnlySecrets, env: NodeJS.ProcessEnv): Promise<boolean> {
  const attributes = parseAttributes(request);
  const keychain = new ReadOnlyStore(new IndexedStore(secrets, new IndexFile(defaultIndexPath(env))));
  if (action === 'store') {
    const credential = credentialOf(attributes);
    // What git stores after a success came from a get, so the index records it. One it
    // does not record is new, a write: the whole door's from the start, before any
    // connection of ours, so that a new store is one keychain client, not two.
    if (!credential || !keychain.recorded(credential.target, credential.username)) return false;
    await store(keychain, credential, { env });
    return true;
  }
  const query = queryOf(attributes);
  if (!query) return false;
  const { answer, notices } = await get(keychain, query, Date.now());
  if (notices.length > 0) return false;
  if (!answer) return !envToken(query.target, env) && !guideMayAsk(query, env);
  writeSync(1, encodeGitBytes(formatAttributes(formatAnswer(answer))));
  return true;
}
