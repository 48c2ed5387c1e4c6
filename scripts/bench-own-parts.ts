// Benchmark only, never shipped: the least a get made of our own parts can do. It is
// the door's hit path with everything else taken out: our request reader and parser,
// our target matching, our D-Bus client and codec, and the answer's formatting, loaded
// by bin/ exactly as the door is (minified, with its code cache). No timeouts, no
// keychain binding, no fallbacks, no expiry, no trace: a get anyone should use needs
// those. scripts/bench.mjs builds it as the `dist/quick.cjs` of a copy of bin/, and its
// rows measure what remains for all of that once our own parts have run.
import { writeSync } from 'node:fs';
import { answerPairs, lookupTargets, queryOf, serviceName, usernameOf } from '../src/credential.js';
import { encodeGitBytes } from '../src/git-bytes.js';
import { formatAttributes, parseAttributes } from '../src/protocol.js';
import { readRequestSync } from '../src/read-request.js';
import { decodeSecret } from '../src/secret-codec.js';
import { secretServiceReader } from '../src/store/secret-service-reader.js';

export async function quick(): Promise<void> {
  const query = queryOf(parseAttributes(readRequestSync(0)));
  const secrets = secretServiceReader(process.env);
  if (!query || !secrets) process.exit(1);
  const never = new AbortController().signal;
  for (const target of lookupTargets(query.target)) {
    const found = await secrets.find(serviceName(target), never);
    if (found.kind !== 'answer') process.exit(1);
    const [first] = found.value;
    if (first) {
      writeSync(1, encodeGitBytes(formatAttributes(answerPairs(usernameOf(first.account), decodeSecret(first.password)))));
      process.exit(0);
    }
  }
  process.exit(1);
}
