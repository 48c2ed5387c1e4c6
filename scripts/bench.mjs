// The benchmark behind scripts/bench (which runs it inside scripts/with-keyring
// --ephemeral). Times whole-process `git credential fill` for several helpers,
// interleaved round-robin, and writes BENCHMARKS.md. Fails only on a wrong answer.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { buildDoor } from './door-bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOST = 'bench.example.invalid'; // never contacted: helpers only look it up
const MISS_HOST = 'miss.example.invalid'; // nothing stored for it
const REQUEST = (host) => `protocol=https\nhost=${host}\n\n`;
const STORE = (host, password) => `protocol=https\nhost=${host}\nusername=u\npassword=${password}\n\n`;
const GOALS = { floor: 1.1, libsecret: 2.5, gh: 1, missHit: 1, rss: 1.1 };

// ---- options ----
const opts = { runs: 40, warmup: 5, quick: false, out: path.join(root, 'BENCHMARKS.md'), nodes: [] };
const given = new Set();
for (let argv = process.argv.slice(2), i = 0; i < argv.length; i++) {
  const a = argv[i];
  const num = () => {
    const n = Number(argv[++i]);
    if (!Number.isInteger(n) || n < 0 || (a === '--runs' && n < 1)) die(`bench: ${a} needs a whole number`, 2);
    return n;
  };
  if (a === '--runs') (opts.runs = num()), given.add('runs');
  else if (a === '--warmup') (opts.warmup = num()), given.add('warmup');
  else if (a === '--quick') opts.quick = true;
  else if (a === '--out') opts.out = path.resolve(argv[++i] ?? die('bench: --out needs a file', 2));
  else if (a === '--node') opts.nodes.push(path.resolve(argv[++i] ?? die('bench: --node needs the path of a node binary', 2)));
  else die(`bench: unknown option ${a} (see scripts/bench --help)`, 2);
}
if (opts.quick) {
  if (!given.has('runs')) opts.runs = 5;
  if (!given.has('warmup')) opts.warmup = 1;
}
if (!process.env.DBUS_SESSION_BUS_ADDRESS) die('bench: no D-Bus session; run scripts/bench (it uses scripts/with-keyring --ephemeral)', 2);

function die(message, code = 1) {
  console.error(message);
  process.exit(code);
}
const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`; // for the shell git runs helpers through
const firstLine = (s) => String(s ?? '').trim().split('\n')[0];
const tool = (cmd, args, options = {}) => spawnSync(cmd, args, { encoding: 'utf8', ...options });

// ---- a private world: temp HOME, no system/global git config, no prompts ----
const tmp = mkdtempSync(path.join(os.tmpdir(), 'pat-bench-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const home = path.join(tmp, 'home');
mkdirSync(home);
writeFileSync(path.join(home, '.gitconfig'), '');
const env = { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: path.join(home, '.gitconfig'), GIT_TERMINAL_PROMPT: '0' };
for (const k of ['GIT_ASKPASS', 'SSH_ASKPASS', 'GH_TOKEN', 'GITHUB_TOKEN', 'GH_ENTERPRISE_TOKEN', 'GITHUB_ENTERPRISE_TOKEN', 'GH_HOST']) delete env[k];
const caFile = process.env.NODE_EXTRA_CA_CERTS;
const envNoCa = { ...env };
delete envNoCa.NODE_EXTRA_CA_CERTS;
// Node rows run under each setting; git, store, libsecret and gh ignore the variable.
const caSettings = caFile ? [['ambient', env], ['unset', envNoCa]] : [['unset', env]];
const notes = [];

// Measure a snapshot of the build: dist/ is shared with development and may be rebuilt mid-run.
const snapshot = path.join(tmp, 'git-credential-pat');
for (const d of ['bin', 'dist']) cpSync(path.join(root, d), path.join(snapshot, d), { recursive: true });
cpSync(path.join(root, 'package.json'), path.join(snapshot, 'package.json'));
symlinkSync(path.join(root, 'node_modules'), path.join(snapshot, 'node_modules'));
const distFingerprint = () => {
  const dist = path.join(snapshot, 'dist'), hash = createHash('sha256');
  for (const f of readdirSync(dist, { recursive: true }).map(String).filter((f) => f.match(/\.c?js$/)).sort()) {
    hash.update(`${f}\0`).update(readFileSync(path.join(dist, f)));
  }
  return hash.digest('hex').slice(0, 12);
};
const distAtStart = distFingerprint();

// Our own parts only (scripts/bench-own-parts.ts): built as the quick door of a copy of bin/,
// so that bin/ loads it exactly as it loads ours, code cache and all.
const ownParts = path.join(tmp, 'own-parts');
cpSync(path.join(snapshot, 'bin'), path.join(ownParts, 'bin'), { recursive: true });
symlinkSync(path.join(root, 'node_modules'), path.join(ownParts, 'node_modules'));
mkdirSync(path.join(ownParts, 'dist'));
// bin/ answers a get from dist/quick.cjs: our own parts stand in for it.
await buildDoor(path.join(root, 'scripts', 'bench-own-parts.ts'), path.join(ownParts, 'dist', 'quick.cjs'), {});
const ownPartsBin = path.join(ownParts, 'bin', 'git-credential-pat.cjs');
const startedAt = new Date();
const loadAtStart = os.loadavg().map((l) => l.toFixed(2)).join(' ');
const commit = tool('git', ['-C', root, 'rev-parse', '--short', 'HEAD']).stdout?.trim() || 'unknown';

// ---- the helpers ----
// Every Node row runs once per Node: the one running this script, then each --node.
const nodes = [process.execPath, ...opts.nodes].map((bin) => {
  const version = firstLine(tool(bin, ['--version']).stdout);
  if (!/^v\d+\./.test(version)) die(`bench: ${bin} --version did not answer like Node`, 2);
  return { bin, version, label: `Node ${version.slice(1)}` };
});
const node = nodes[0].bin;
const rows = [];
const patBin = path.join(snapshot, 'bin', 'git-credential-pat.cjs');
const patSecret = 'pat-bench-secret';
const stored = tool(node, [patBin, 'store'], { input: STORE(HOST, patSecret), env });
if (stored.status !== 0) die(`bench: storing the credential with our helper failed: ${firstLine(stored.stderr)}`);

const floorPath = path.join(tmp, 'git-credential-floor.cjs');
writeFileSync(floorPath, `// The floor: what any Node.js helper costs.
process.stdin.on('data', () => {}).on('end', () => {
  if (process.argv[2] === 'get') process.stdout.write('username=u\\npassword=floor-secret\\n');
});
`);

// The breakdown's middle row: a helper that does nothing but one @napi-rs/keyring read.
const bindingName = { linux: `@napi-rs/keyring-linux-${process.arch}-gnu`, darwin: `@napi-rs/keyring-darwin-${process.arch}`, win32: `@napi-rs/keyring-win32-${process.arch}-msvc` }[process.platform];
const rawPath = path.join(tmp, 'git-credential-raw-binding.cjs');
writeFileSync(rawPath, `// One raw binding read, as a helper: stdin to the end, findCredentials, print.
process.stdin.on('data', () => {}).on('end', () => {
  const keyring = require(${JSON.stringify(path.join(root, 'node_modules', bindingName ?? '@napi-rs/keyring'))});
  keyring.findCredentialsAsync(${JSON.stringify(`git-credential-pat:https://${HOST}`)}, null).then(([found]) => {
    process.stdout.write('username=' + found.account + '\\npassword=' + found.password + '\\n');
  });
});
`);

// Two more breakdown rows: the trivial helper that also loads node:net (what any
// Unix socket costs a Node process: net brings the stream machinery), and the
// trivial helper that also loads our door bundle without calling it.
const floorNetPath = path.join(tmp, 'git-credential-floor-net.cjs');
writeFileSync(floorNetPath, `require('node:net');\n${readFileSync(floorPath, 'utf8')}`);
const floorDoorPath = path.join(tmp, 'git-credential-floor-door.cjs');
// The quick door (what a hit loads) is one function expression (scripts/build.mjs): compiled and run as bin/ does, without the code cache.
const doorFile = JSON.stringify(path.join(snapshot, 'dist', 'quick.cjs'));
writeFileSync(
  floorDoorPath,
  `require('node:vm').runInThisContext(require('node:fs').readFileSync(${doorFile}, 'utf8'), { filename: ${doorFile} })({}, require, { exports: {} }, ${doorFile}, require('node:path').dirname(${doorFile}));\n${readFileSync(floorPath, 'utf8')}`,
);

// The lower bound of any Node keychain helper here: the trivial helper plus the same
// three D-Bus round trips our reader makes, hand-encoded (scripts/bench-least-read.cjs).
// It speaks only to a unix:path= bus, which scripts/with-keyring always gives.
const leastRead = /^unix:path=/.test(process.env.DBUS_SESSION_BUS_ADDRESS)
  ? { file: path.join(root, 'scripts', 'bench-least-read.cjs'), env: { BENCH_SERVICE: `git-credential-pat:https://${HOST}` } }
  : void notes.push('The lower-bound rows were skipped: the session bus is not a unix:path= address.');

const APPROVE = STORE(HOST, patSecret);
for (const { bin, label } of nodes) {
  const headline = bin === node;
  for (const [ca, rowEnv] of caSettings) {
    const base = { node: label, ca, env: rowEnv };
    const helper = (file) => `!${q(bin)} ${q(file)}`;
    rows.push({ ...base, id: `pat-hit-${label}-${ca}`, name: 'git-credential-pat', kase: 'hit', kind: 'fill', helper: helper(patBin), host: HOST, expect: patSecret });
    rows.push({ ...base, id: `floor-${label}-${ca}`, name: 'trivial Node helper (floor)', kase: 'hit', kind: 'fill', helper: helper(floorPath), host: HOST, expect: 'floor-secret' });
    if (leastRead) rows.push({ ...base, env: { ...rowEnv, ...leastRead.env }, id: `least-${label}-${ca}`, name: 'least possible Node keychain read (bound)', kase: 'hit', kind: 'fill', helper: helper(leastRead.file), host: HOST, expect: patSecret });
    rows.push({ ...base, id: `own-${label}-${ca}`, name: 'our own parts only: parser, matching, D-Bus client (no timeouts, no fallbacks)', kase: 'hit', kind: 'fill', helper: helper(ownPartsBin), host: HOST, expect: patSecret });
    rows.push({ ...base, id: `pat-store-${label}-${ca}`, name: 'git-credential-pat', kase: 'unchanged store', kind: 'approve', helper: helper(patBin), input: APPROVE });
    if (ca !== 'unset' && !headline) continue;
    rows.push({ ...base, id: `pat-miss-${label}-${ca}`, name: 'git-credential-pat', kase: 'miss', kind: 'fill', helper: helper(patBin), host: MISS_HOST, expect: null });
    if (ca !== 'unset') continue;
    // One fetch as git runs it: fill, then approve of what worked.
    rows.push({ ...base, id: `pat-pair-${label}`, name: 'git-credential-pat', kase: 'one fetch: get + store', kind: 'pair', helper: helper(patBin), host: HOST, expect: patSecret, input: APPROVE });
    rows.push({ ...base, id: `floor-pair-${label}`, name: 'trivial Node helper (floor)', kase: 'one fetch: get + store', kind: 'pair', helper: helper(floorPath), host: HOST, expect: 'floor-secret', input: STORE(HOST, 'floor-secret') });
    // The breakdown: processes run directly (no git), to see where a get's time goes.
    rows.push({ ...base, id: `bare-${label}`, name: '`node -e 0`', kase: 'breakdown', kind: 'direct', argv: [bin, '-e', '0'], expect: undefined });
    rows.push({ ...base, id: `floor-direct-${label}`, name: 'trivial Node helper, run directly', kase: 'breakdown', kind: 'direct', argv: [bin, floorPath, 'get'], expect: 'floor-secret' });
    rows.push({ ...base, id: `floor-net-${label}`, name: 'trivial Node helper + `require("node:net")`, run directly', kase: 'breakdown', kind: 'direct', argv: [bin, floorNetPath, 'get'], expect: 'floor-secret' });
    rows.push({ ...base, id: `floor-door-${label}`, name: 'trivial Node helper + loading our quick door bundle (no code cache), run directly', kase: 'breakdown', kind: 'direct', argv: [bin, floorDoorPath, 'get'], expect: 'floor-secret' });
    if (leastRead) rows.push({ ...base, env: { ...rowEnv, ...leastRead.env }, id: `least-direct-${label}`, name: 'least possible Node keychain read, run directly', kase: 'breakdown', kind: 'direct', argv: [bin, leastRead.file, 'get'], expect: patSecret });
    rows.push({ ...base, id: `own-direct-${label}`, name: 'our own parts only (no timeouts, no fallbacks), run directly', kase: 'breakdown', kind: 'direct', argv: [bin, ownPartsBin, 'get'], expect: patSecret });
    rows.push({ ...base, id: `raw-${label}`, name: 'one raw `@napi-rs/keyring` read, run directly', kase: 'breakdown', kind: 'direct', argv: [bin, rawPath, 'get'], expect: patSecret });
    rows.push({ ...base, id: `pat-direct-${label}`, name: 'git-credential-pat get, run directly', kase: 'breakdown', kind: 'direct', argv: [bin, patBin, 'get'], expect: patSecret });
    rows.push({ ...base, env: { ...rowEnv, GIT_CREDENTIAL_PAT_CODE_CACHE: '0' }, id: `pat-nocache-${label}`, name: 'git-credential-pat get without its code cache (GIT_CREDENTIAL_PAT_CODE_CACHE=0), run directly', kase: 'breakdown', kind: 'direct', argv: [bin, patBin, 'get'], expect: patSecret });
  }
}

const storeFile = path.join(tmp, 'store-credentials');
writeFileSync(storeFile, `https://u:store-secret@${HOST}\n`, { mode: 0o600 });
rows.push({ id: 'store', name: 'git credential-store', kase: 'hit', ca: 'n/a', node: 'n/a', kind: 'fill', helper: `store --file=${q(storeFile)}`, host: HOST, expect: 'store-secret', env });
rows.push({ id: 'store-pair', name: 'git credential-store', kase: 'one fetch: get + store', ca: 'n/a', node: 'n/a', kind: 'pair', helper: `store --file=${q(storeFile)}`, host: HOST, expect: 'store-secret', input: STORE(HOST, 'store-secret'), env });

const libsecret = setUpLibsecret();
if (libsecret) {
  rows.push({ id: 'libsecret', name: 'git-credential-libsecret (C)', kase: 'hit', ca: 'n/a', node: 'n/a', kind: 'fill', helper: `!${q(libsecret)}`, host: HOST, expect: 'libsecret-secret', env });
  rows.push({ id: 'libsecret-pair', name: 'git-credential-libsecret (C)', kase: 'one fetch: get + store', ca: 'n/a', node: 'n/a', kind: 'pair', helper: `!${q(libsecret)}`, host: HOST, expect: 'libsecret-secret', input: STORE(HOST, 'libsecret-secret'), env });
}

const gh = setUpGh();
if (gh) {
  rows.push({ id: 'gh', name: '`gh auth git-credential`', kase: 'hit', ca: 'n/a', node: 'n/a', kind: 'fill', helper: `!${q(gh.path)} auth git-credential`, host: HOST, expect: 'gh-bench-secret', env: gh.env });
  rows.push({ id: 'gh-pair', name: '`gh auth git-credential`', kase: 'one fetch: get + store', ca: 'n/a', node: 'n/a', kind: 'pair', helper: `!${q(gh.path)} auth git-credential`, host: HOST, expect: 'gh-bench-secret', input: STORE(HOST, 'gh-bench-secret'), env: gh.env });
}

function setUpLibsecret() {
  const prebuilt = '/usr/lib/git-core/git-credential-libsecret';
  let bin = existsSync(prebuilt) ? prebuilt : undefined;
  if (bin) notes.push(`git-credential-libsecret: the packaged ${prebuilt}.`);
  else {
    const src = '/usr/share/doc/git/contrib/credential/libsecret';
    if (!existsSync(src)) return void notes.push(`libsecret row skipped: no ${src} (git's contrib sources).`);
    const dir = path.join(tmp, 'libsecret');
    cpSync(src, dir, { recursive: true });
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.gz'))) {
      writeFileSync(path.join(dir, f.slice(0, -3)), gunzipSync(readFileSync(path.join(dir, f))));
    }
    const make = tool('make', ['-s'], { cwd: dir });
    if (make.status !== 0) {
      return void notes.push(`libsecret row skipped: building ${src} failed (needs \`apt-get install libsecret-1-dev pkg-config\`): ${firstLine(make.stderr || make.error?.message)}`);
    }
    bin = path.join(dir, 'git-credential-libsecret');
    notes.push(`git-credential-libsecret built from ${src} with its Makefile (gcc -O2).`);
  }
  const st = tool(bin, ['store'], { input: STORE(HOST, 'libsecret-secret'), env });
  if (st.status !== 0) return void notes.push(`libsecret row skipped: its store failed: ${firstLine(st.stderr)}`);
  return bin;
}

function setUpGh() {
  const which = tool('sh', ['-c', 'command -v gh']);
  const ghPath = which.stdout.trim();
  if (which.status !== 0 || !ghPath) return void notes.push('gh row skipped: `gh` is not installed (`apt-get install gh`).');
  const configDir = path.join(tmp, 'gh');
  mkdirSync(configDir, { mode: 0o700 });
  writeFileSync(path.join(configDir, 'hosts.yml'), `${HOST}:\n    oauth_token: gh-bench-secret\n    user: u\n    git_protocol: https\n`, { mode: 0o600 });
  const ghEnv = { ...env, GH_CONFIG_DIR: configDir, GH_NO_UPDATE_NOTIFIER: '1', GH_PROMPT_DISABLED: '1' };
  const version = firstLine(tool(ghPath, ['--version']).stdout);
  // Prove it answers with no network at all when we can make a network-less namespace.
  const offline = tool('unshare', ['-n', ghPath, 'auth', 'git-credential', 'get'], { input: REQUEST(HOST), env: ghEnv });
  const verdict = offline.status === 0 && offline.stdout.includes('password=gh-bench-secret\n')
    ? 'verified to answer with no network (`unshare -n`)'
    : 'offline answer not verified here (`unshare -n` unavailable)';
  notes.push(`gh: ${version}; token in a temporary GH_CONFIG_DIR hosts.yml for ${HOST}; ${verdict}.`);
  return { path: ghPath, env: ghEnv };
}

// ---- measure: round-robin, rotating the starting row each round ----
function runOnce(row) {
  if (row.kind === 'pair') return runOnce({ ...row, kind: 'fill', id: `${row.id}-get` }) + runOnce({ ...row, kind: 'approve', id: `${row.id}-store` });
  const t0 = performance.now();
  const r = row.kind === 'direct'
    ? spawnSync(row.argv[0], row.argv.slice(1), { input: REQUEST(HOST), env: row.env, cwd: tmp, encoding: 'utf8' })
    : spawnSync('git', ['-c', `credential.helper=${row.helper}`, 'credential', row.kind === 'approve' ? 'approve' : 'fill'], {
      input: row.kind === 'approve' ? row.input : REQUEST(row.host), env: row.env, cwd: tmp, encoding: 'utf8',
    });
  const ms = performance.now() - t0;
  const answered = /^password=(.*)$/m.exec(r.stdout ?? '')?.[1];
  const ok = row.kind === 'approve' || (row.kind === 'direct' && row.expect === undefined)
    ? r.status === 0 && (r.stderr ?? '') === ''
    : row.expect === null
      ? r.status !== 0 && answered === undefined // a miss: git finds nothing and may not prompt
      : r.status === 0 && answered === row.expect;
  if (r.error || !ok) {
    die(`bench: wrong answer from ${row.name} (${row.kase}, ${row.node}, NODE_EXTRA_CA_CERTS ${row.ca}): exit ${r.status}, ` +
      `password ${answered === undefined ? 'none' : JSON.stringify(answered)}, expected ${row.expect == null ? 'none' : JSON.stringify(row.expect)}; ` +
      `stderr: ${firstLine(r.stderr || r.error?.message)}`);
  }
  return ms;
}

const times = new Map(rows.map((r) => [r.id, []]));
const rounds = opts.warmup + opts.runs;
for (let round = 0; round < rounds; round++) {
  if (process.stderr.isTTY) process.stderr.write(`\rbench: round ${round + 1}/${rounds}`);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[(round + i) % rows.length];
    const ms = runOnce(row);
    if (round >= opts.warmup) times.get(row.id).push(ms);
  }
}
if (process.stderr.isTTY) process.stderr.write('\n');

// The unchanged-store row must have measured the unchanged path: nothing rewritten.
{
  const traceFile = path.join(tmp, 'store-trace');
  const r = spawnSync('git', ['-c', `credential.helper=!${q(node)} ${q(patBin)}`, 'credential', 'approve'], {
    input: APPROVE, env: { ...env, GIT_CREDENTIAL_PAT_TRACE: traceFile }, cwd: tmp, encoding: 'utf8',
  });
  const trace = existsSync(traceFile) ? readFileSync(traceFile, 'utf8') : '';
  if (r.status !== 0 || !/already holds this credential: unchanged/.test(trace)) die(`bench: the unchanged store did not take the unchanged path: ${firstLine(trace || r.stderr)}`);
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => { const s = sorted(xs), m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const p90 = (xs) => sorted(xs)[Math.ceil(0.9 * xs.length) - 1];
const med = (id) => (times.has(id) ? median(times.get(id)) : undefined);

// ---- peak RSS of one direct `get` (GNU time's %M, in KiB), median of a few runs ----
const rss = new Map();
const rssTargets = [];
const probe = tool('/usr/bin/time', ['-f', '%M', 'true']);
if (probe.status === 0 && /^\d+\s*$/.test(probe.stderr)) {
  const rssRuns = opts.quick ? 3 : 9;
  for (const { bin, label } of nodes) {
    for (const [ca, e] of caSettings) {
      if (ca !== 'unset' && bin !== node) continue;
      rssTargets.push({ id: `pat-${label}-${ca}`, who: 'git-credential-pat get', label, ca, bin, file: patBin, expect: patSecret, env: e });
      rssTargets.push({ id: `floor-${label}-${ca}`, who: 'trivial Node helper get', label, ca, bin, file: floorPath, expect: 'floor-secret', env: e });
    }
  }
  for (const t of rssTargets) rss.set(t.id, []);
  for (let i = 0; i < rssRuns; i++) {
    for (const t of rssTargets) {
      const out = path.join(tmp, 'rss');
      const r = tool('/usr/bin/time', ['-f', '%M', '-o', out, t.bin, t.file, 'get'], { input: REQUEST(HOST), env: t.env });
      if (r.status !== 0 || !r.stdout.includes(`password=${t.expect}\n`)) die(`bench: wrong answer from ${t.file} get under /usr/bin/time: ${firstLine(r.stderr)}`);
      rss.get(t.id).push(Number(readFileSync(out, 'utf8').trim().split('\n').pop()));
    }
  }
} else {
  notes.push('Peak RSS skipped: GNU time (/usr/bin/time, `apt-get install time`) is not available.');
}
const rssMed = (id) => (rss.has(id) ? median(rss.get(id)) : undefined);

// ---- report ----
const fmt = (x, d = 1) => (x === undefined ? '—' : x.toFixed(d));
const ratio = (a, b) => (a === undefined || b === undefined ? undefined : a / b);
const x = (r) => (r === undefined ? '—' : `${r.toFixed(2)}×`);
const headline = nodes[0].label;
const refCa = caSettings.some(([ca]) => ca === 'unset') ? 'unset' : caSettings[0][0]; // the floor non-Node rows are compared with
const floorOf = (row) => med(`floor-${row.node === 'n/a' ? headline : row.node}-${row.ca === 'n/a' ? refCa : row.ca}`);

const table = (selected, floorName) => [
  `| Helper | Case | Node | NODE_EXTRA_CA_CERTS | Median (ms) | p90 (ms) | × ${floorName} |`, '|---|---|---|---|---:|---:|---:|',
  ...selected.map((row) => {
    const ts = times.get(row.id);
    const floor = row.kind === 'direct' ? med(`floor-direct-${row.node}`) : row.kind === 'pair' ? med(`floor-pair-${row.node === 'n/a' ? headline : row.node}`) : floorOf(row);
    return `| ${row.name} | ${row.kase} | ${row.node} | ${row.ca} | ${fmt(median(ts))} | ${fmt(p90(ts))} | ${x(median(ts) / floor)} |`;
  }),
].join('\n');
// Headline first: the variable unset (most people), then the rest.
const order = (row) => (row.node === 'n/a' ? 2 : row.ca === 'unset' ? 0 : 1);
const gitRows = rows.filter((r) => r.kind === 'fill' || r.kind === 'approve').sort((a, b) => order(a) - order(b));
const resultsTable = table(gitRows, 'trivial Node');
const pairTable = table(rows.filter((r) => r.kind === 'pair').sort((a, b) => order(a) - order(b)), 'trivial Node pair');
const breakdownTable = table(rows.filter((r) => r.kind === 'direct'), 'trivial Node, run directly');

const verdict = (r, goal, strict = false) =>
  r === undefined ? '—' : `${r.toFixed(2)}× ${(strict ? r < goal : r <= goal) ? 'met' : '**not met**'}`;
const targetRows = [];
for (const { label } of nodes) {
  targetRows.push([`our get ÷ trivial Node helper (${label})`, '≤ 1.10×', (ca) => verdict(ratio(med(`pat-hit-${label}-${ca}`), med(`floor-${label}-${ca}`)), GOALS.floor)]);
  if (leastRead) targetRows.push([`_bound:_ least possible keychain read ÷ trivial Node helper (${label})`, '≤ 1.10×', (ca) => verdict(ratio(med(`least-${label}-${ca}`), med(`floor-${label}-${ca}`)), GOALS.floor)]);
  targetRows.push([`_our parts only:_ parser, matching, D-Bus client ÷ trivial Node helper (${label})`, '≤ 1.10×', (ca) => verdict(ratio(med(`own-${label}-${ca}`), med(`floor-${label}-${ca}`)), GOALS.floor)]);
}
for (const { label } of nodes) {
  targetRows.push([`our unchanged store ÷ trivial Node helper (${label})`, '≤ 1.10×', (ca) => verdict(ratio(med(`pat-store-${label}-${ca}`), med(`floor-${label}-${ca}`)), GOALS.floor)]);
  targetRows.push([`one fetch, our get + store ÷ the trivial helper's pair (${label})`, '≤ 1.10×', (ca) => (ca === 'unset' ? verdict(ratio(med(`pat-pair-${label}`), med(`floor-pair-${label}`)), GOALS.floor) : '—')]);
}
targetRows.push(
  [`one fetch, our get + store ÷ libsecret's (C) (${headline})`, 'reported', (ca) => (ca === 'unset' ? x(ratio(med(`pat-pair-${headline}`), med('libsecret-pair'))) : '—')],
  [`one fetch, our get + store ÷ gh's (${headline})`, 'reported', (ca) => (ca === 'unset' ? x(ratio(med(`pat-pair-${headline}`), med('gh-pair'))) : '—')],
  [`our miss ÷ our hit (${headline})`, '≤ 1×', (ca) => verdict(ratio(med(`pat-miss-${headline}-${ca}`), med(`pat-hit-${headline}-${ca}`)), GOALS.missHit)],
  [`our get ÷ libsecret (C) (${headline})`, '≤ 2.5×', (ca) => verdict(ratio(med(`pat-hit-${headline}-${ca}`), med('libsecret')), GOALS.libsecret)],
  [`our get ÷ gh (${headline})`, '< 1× (faster)', (ca) => verdict(ratio(med(`pat-hit-${headline}-${ca}`), med('gh')), GOALS.gh, true)],
);
for (const { label } of nodes) {
  targetRows.push([`peak RSS: our get ÷ trivial Node helper (${label})`, '≤ 1.10×', (ca) => verdict(ratio(rssMed(`pat-${label}-${ca}`), rssMed(`floor-${label}-${ca}`)), GOALS.rss)]);
}
const caColumns = ['unset', ...(caFile ? ['ambient'] : [])];
const targetsTable = [
  `| Target | Goal | ${caColumns.map((ca) => `NODE_EXTRA_CA_CERTS ${ca}`).join(' | ')} |`,
  `|---|---|${caColumns.map(() => '---|').join('')}`,
  ...targetRows.map(([what, goal, f]) => `| ${what} | ${goal} | ${caColumns.map((ca) => { const v = f(ca); return v; }).join(' | ')} |`),
].join('\n');

const rssTable = rss.size === 0 ? '_not measured (no GNU time)_' : [
  '| Process | Node | NODE_EXTRA_CA_CERTS | Peak RSS (MiB) |', '|---|---|---|---:|',
  ...rssTargets.map((t) => `| ${t.who} | ${t.label} | ${t.ca} | ${fmt(rssMed(t.id) / 1024)} |`),
].join('\n');

const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
const nproc = tool('nproc', []).stdout?.trim() || String(os.availableParallelism());
const gitVersion = firstLine(tool('git', ['--version']).stdout);
const load = loadAtStart;
const loadAtEnd = os.loadavg().map((l) => l.toFixed(2)).join(' ');
const date = startedAt.toISOString().replace(/\.\d+Z$/, 'Z');

const report = `# Benchmarks

Whole-process \`git credential fill\`, end to end: git starts the helper, the helper
answers \`get\` from a stored credential, git prints it. Written by \`scripts/bench\`;
rerun with \`npm run bench\` after \`npm run build\` (\`npm run bench -- --runs 100\` for more runs).
${opts.quick ? '\n**Quick run (`--quick`): too few runs to compare; only shows that the benchmark works.**\n' : ''}${loaded()}
- Date: ${date}
- Machine: ${cpu}, ${nproc} CPUs (nproc), Linux ${os.release()}, load average (1, 5, 15 min) ${load} at the start and ${loadAtEnd} at the end (other work on the machine; the rows are interleaved so it weighs on all of them alike)
- ${nodes.map((n) => n.label + (n.bin === node ? ' (runs the script; the headline)' : ` (${n.bin})`)).join(', ')}; ${gitVersion}
- Code: commit ${commit}, dist/*.js fingerprint ${distAtStart} (the build that ran, copied at the start; it may include uncommitted changes)
- ${opts.runs} measured runs per row after ${opts.warmup} warm-up round${opts.warmup === 1 ? '' : 's'}, interleaved round-robin
  (each round runs every row once, starting one row later than the previous round)

## \`git credential fill\` time

The headline is NODE_EXTRA_CA_CERTS unset, as on most machines; rows with it set follow.
"unchanged store" is \`git credential approve\` of the credential already stored (what
git does after every successful authentication).

${resultsTable}

"× trivial Node" compares with the trivial Node helper run under the same
NODE_EXTRA_CA_CERTS setting (rows marked n/a do not run Node and are compared with
the ${refCa} one).${caFile ? ` "ambient" is this machine's NODE_EXTRA_CA_CERTS=${caFile} (${(readSizeKb(caFile))} KiB).` : ' NODE_EXTRA_CA_CERTS was not set here, so every Node row ran without it.'}

## One fetch: \`get\` and then \`store\`

git runs its helper twice for every fetch, pull or push that authenticates: \`fill\`
(\`get\`) before, \`approve\` (\`store\` of what worked) after. Each row is the two git
processes run back to back, timed together: what a person waits for in all.

${pairTable}

## Where a \`get\`'s time goes (processes run directly, no git, NODE_EXTRA_CA_CERTS unset)

${breakdownTable}

${storeNote()}

## Targets (reported, never enforced)

${targetsTable}

Where a row is above its line, [docs/speed.md](docs/speed.md#the-helper-door) ("Where a \`get\` and a \`store\` stand") gives the measured reason: timestamps taken inside one \`get\`, ours beside the bound's, phase by phase.

## Peak RSS of one \`get\` (helper run directly, GNU time %M, median of ${opts.quick ? 3 : 9})

${rssTable}

## How it is measured

- Everything runs inside \`scripts/with-keyring --ephemeral\`: a private D-Bus session and
  a throwaway unlocked gnome-keyring; HOME is a temporary folder, \`GIT_CONFIG_NOSYSTEM=1\`,
  an empty global git config, \`GIT_TERMINAL_PROMPT=0\`, GIT_ASKPASS/SSH_ASKPASS unset.
- Each run is \`git -c credential.helper=HELPER credential fill\` with
  \`protocol=https\\nhost=${HOST}\\n\\n\` on stdin (the host is never contacted), timed with
  \`performance.now()\` around \`child_process.spawnSync\` in Node. Every hit run must print
  the expected password and every miss run must print none, or the benchmark fails.
- Our helper and the trivial one are configured the same way: \`!<node> <script>\` (git runs
  helpers through \`/bin/sh -c\`, as it does for every helper here). The trivial helper is a
  CommonJS script, like ours, that reads stdin to the end and prints fixed \`username=\`/\`password=\` lines.
- Our helper runs from a copy of bin/ and dist/ taken at the start (node_modules linked), so a
  rebuild during the run cannot mix two builds. Our credential is stored with \`node bin/git-credential-pat.cjs store\`; libsecret's with its own \`store\`;
  git's store helper reads a temporary \`--file\`.
- The breakdown rows run each process directly with the same request on stdin: bare
  \`node -e 0\`, the trivial helper, a helper that makes one raw \`@napi-rs/keyring\`
  \`findCredentialsAsync\` call (what our \`get\` did before its own D-Bus client), and ours, with
  and without its code cache (the door's compiled code, kept in \`$XDG_CACHE_HOME\`; every other
  row of ours runs with it, written during the warm-up rounds).
- The bound rows (\`scripts/bench-least-read.cjs\`) are the least a Node helper can do to answer
  from the Secret Service: the trivial helper that, once stdin ends, makes the same three round trips
  our reader makes (AUTH, BEGIN, Hello and SearchItems in one write; OpenSession "plain"; GetSecrets)
  with messages encoded by hand for those calls, and prints the first item's secret. No codec, checks,
  timeouts or fallbacks: if it misses 1.10×, no Node helper reading this keychain can meet it.
- The "our own parts only" rows (\`scripts/bench-own-parts.ts\`, built here as the door of a copy of
  bin/, so bin/ loads it as it loads ours, code cache included) are our \`get\` with everything but its
  hit path taken out: our request reader and parser, target matching, D-Bus client and codec, and the
  answer's formatting. No timeouts, no keychain binding, no fallbacks: what is left for those is the
  difference from our \`get\`.
- Every Node row runs once per Node binary (\`--node PATH\`, repeatable; Node 22 and 24 from
  the npm registry's \`node\` package: \`npm install --prefix DIR node@22\` gives
  \`DIR/node_modules/.bin/node\`).
- Miss: a \`get\` for \`${MISS_HOST}\`, where nothing is stored, still through \`git credential fill\`
  so it is comparable with the hit. git then wants to prompt, cannot (\`GIT_TERMINAL_PROMPT=0\`)
  and exits 128; that exit is expected, and the extra git work after the helper is tiny.
${notes.map((n) => `- ${n}`).join('\n')}
`;

/** A warning when other work crowded the CPUs: every time is then inflated, and ratios are noisy. */
function loaded() {
  const cpus = Number(nproc) || 1;
  // The 1-minute averages, at the start and at the end: the 5- and 15-minute ones also
  // count whatever ran before the benchmark (a CI run that just ended, say).
  const worst = Math.max(...[loadAtStart, loadAtEnd].map((l) => Number(l.split(' ')[0])));
  if (worst <= cpus) return '';
  return `\n**Measured on a busy machine** (1-minute load average up to ${worst.toFixed(0)} on ${cpus} CPUs): every time below is ` +
    `inflated many times over, and although the interleaving spreads the load over all rows alike, a ratio here is ` +
    `only good to about ±0.2× (two such runs of the same code differed that much). Rerun on a quiet machine before reading a target as met or missed by a few per cent.\n`;
}

/** Why an unchanged store costs what it costs, from this run's own numbers. */
function storeNote() {
  const bare = med(`bare-${headline}`), ours = med(`pat-direct-${headline}`), floor = med(`floor-direct-${headline}`);
  const store = med(`pat-store-${headline}-unset`), get = med(`pat-hit-${headline}-unset`);
  if ([bare, ours, floor, store, get].some((v) => v === undefined)) return '';
  const raw = med(`raw-${headline}`);
  const overFloor = raw === undefined ? '' :
    `Over the trivial helper, one raw \`@napi-rs/keyring\` read adds ${fmt(raw - floor)} ms and our whole \`get\` ` +
    `(its own D-Bus client, no native binding) adds ${fmt(ours - floor)} ms. `;
  const net = med(`floor-net-${headline}`), load = med(`floor-door-${headline}`);
  const nocache = med(`pat-nocache-${headline}`);
  // The parts are of a get that compiles its bundle, as the "loading" row does.
  const whole = nocache ?? ours;
  const parts = net === undefined || load === undefined ? '' :
    `Of what our \`get\`${nocache === undefined ? '' : ' without its code cache'} adds (${fmt(whole - floor)} ms), loading \`node:net\` alone (any Unix socket in Node; it brings the stream machinery) ` +
    `costs ${fmt(net - floor)} ms and loading our door bundle without calling it ${fmt(load - floor)} ms; the rest ` +
    `(${fmt(whole - floor - (net - floor) - (load - floor))} ms) is the D-Bus exchange and the index read. `;
  const least = med(`least-direct-${headline}`);
  const cached = nocache === undefined ? '' : `The code cache (V8's compiled code for the door, kept between runs) saves ${fmt(nocache - ours)} ms of that. `;
  const bound = least === undefined ? '' :
    `The least any Node helper can do to read the keychain here (the trivial helper plus the same three D-Bus round ` +
    `trips, hand-encoded: scripts/bench-least-read.cjs) adds ${fmt(least - floor)} ms (${x(least / floor)} the trivial helper run directly); ` +
    `our \`get\` adds ${fmt(ours - least)} ms more for everything a real helper does besides (parsing, matching, ` +
    `timeouts, the general codec, loading its code). `;
  const own = med(`own-direct-${headline}`);
  const ownParts = own === undefined || least === undefined ? '' :
    `A get made of our own parts only (request reader and parser, matching, D-Bus client and codec, loaded as the door is, ` +
    `with no timeouts, fallbacks, expiry or trace: scripts/bench-own-parts.ts) adds ${fmt(own - least)} ms to that bound ` +
    `(${x(own / floor)} the trivial helper run directly), and the rest of our \`get\` ${fmt(ours - own)} ms. `;
  return overFloor + parts + cached + bound + ownParts + `Node's own start-up (\`node -e 0\`, ${fmt(bare)} ms) is ${fmt((100 * bare) / ours, 0)}% of our \`get\` run directly ` +
    `(${fmt(ours)} ms; the trivial helper: ${fmt(floor)} ms). An unchanged \`store\` has to start Node as well, so no ` +
    `Node helper's \`store\` can cost half of its \`get\`: here it costs ${fmt(store)} ms against ${fmt(get)} ms for a \`get\` ` +
    `(${x(store / get)}), through git.`;
}

function readSizeKb(file) {
  try { return Math.round(readFileSync(file).length / 1024); } catch { return '?'; }
}

writeFileSync(opts.out, report);
console.log(report);
console.error(`bench: wrote ${path.relative(process.cwd(), opts.out) || opts.out}`);
