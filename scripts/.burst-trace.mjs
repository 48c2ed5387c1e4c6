// The load measurement behind scripts/burst (which runs it inside scripts/with-keyring
// --ephemeral): N helper processes started at once, each storing a distinct
// credential, then N getting them back, for our helper and git's C libsecret helper
// in the same session, and a trivial Node helper that touches no keychain (the floor
// of any Node helper), rounds interleaved. Prints counts, wall times and every
// distinct error line. Fails only when a helper gives a wrong answer or an error.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const opts = { processes: 200, rounds: 2, only: undefined };
for (let argv = process.argv.slice(2), i = 0; i < argv.length; i++) {
  const a = argv[i];
  const num = () => {
    const n = Number(argv[++i]);
    if (!Number.isInteger(n) || n < 1) die(`burst: ${a} needs a whole number above 0`, 2);
    return n;
  };
  if (a === '--processes' || a === '-n') opts.processes = num();
  else if (a === '--rounds') opts.rounds = num();
  else if (a === '--only') opts.only = argv[++i];
  else die(`burst: unknown option ${a} (see scripts/burst --help)`, 2);
}
if (!process.env.DBUS_SESSION_BUS_ADDRESS) die('burst: no D-Bus session; run scripts/burst (it uses scripts/with-keyring --ephemeral)', 2);

function die(message, code = 1) {
  console.error(message);
  process.exit(code);
}
const firstLine = (s) => String(s ?? '').trim().split('\n')[0];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'pat-burst-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const home = path.join(tmp, 'home');
mkdirSync(home);
const env = {
  ...process.env,
  HOME: home,
  XDG_STATE_HOME: path.join(home, '.local', 'state'),
  XDG_CONFIG_HOME: path.join(home, '.config'),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: path.join(home, '.gitconfig'),
  GIT_TERMINAL_PROMPT: '0',
};
// NODE_EXTRA_CA_CERTS unset, as on most machines (the benchmark's headline too): it costs every Node start.
for (const k of ['DISPLAY', 'WAYLAND_DISPLAY', 'GH_TOKEN', 'GITHUB_TOKEN', 'NODE_EXTRA_CA_CERTS']) delete env[k];
writeFileSync(env.GIT_CONFIG_GLOBAL, '');

// A snapshot of the build: dist/ may be rebuilt while we run.
const snapshot = path.join(tmp, 'git-credential-pat');
if (!existsSync(path.join(root, 'dist', 'door.cjs'))) die('burst: dist/door.cjs not found; run npm run build first', 2);
for (const d of ['bin', 'dist']) cpSync(path.join(root, d), path.join(snapshot, d), { recursive: true });
cpSync(path.join(root, 'package.json'), path.join(snapshot, 'package.json'));
symlinkSync(path.join(root, 'node_modules'), path.join(snapshot, 'node_modules'));

// The floor: Node starting, reading the request and answering from the request
// alone (each password is derived from its host), touching no keychain. What our
// helper costs above it is ours; the rest is two hundred Node start-ups on these CPUs.
const trivial = path.join(tmp, 'trivial-helper.cjs');
writeFileSync(
  trivial,
  `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{if(process.argv[2]!=='get')return;` +
    `const h=/^host=burst-(\\w+)-(\\d+)\\./m.exec(s);if(h)process.stdout.write('username=user'+h[2]+'\\npassword=secret-'+h[1]+'-'+h[2]+'\\n');});`,
);
const helpers = [
  { name: 'git-credential-pat', tag: 'pat', argv: [process.execPath, path.join(snapshot, 'bin', 'git-credential-pat.cjs')] },
  { name: 'trivial Node helper (floor)', tag: 'floor', argv: [process.execPath, trivial] },
];
const libsecret = buildLibsecret();
if (libsecret) helpers.push({ name: 'git-credential-libsecret (C)', tag: 'ls', argv: [libsecret] });
const chosen = opts.only ? helpers.filter((h) => h.name.includes(opts.only)) : helpers;

/** git's contrib helper, built the way scripts/bench builds it. */
function buildLibsecret() {
  const src = '/usr/share/doc/git/contrib/credential/libsecret';
  if (!existsSync(src)) return void console.log(`libsecret skipped: no ${src}`);
  const dir = path.join(tmp, 'libsecret');
  cpSync(src, dir, { recursive: true });
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.gz'))) writeFileSync(path.join(dir, f.slice(0, -3)), gunzipSync(readFileSync(path.join(dir, f))));
  const make = spawnSync('make', ['-s'], { cwd: dir, encoding: 'utf8' });
  if (make.status !== 0) return void console.log(`libsecret skipped: build failed (apt-get install libsecret-1-dev pkg-config): ${firstLine(make.stderr)}`);
  return path.join(dir, 'git-credential-libsecret');
}

function run(argv, input) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], [...argv.slice(1)], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.stdin.on('error', () => {});
    child.on('error', (e) => resolve({ code: -1, stdout: '', stderr: String(e.message) }));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.end(input);
  });
}

const credential = (tag, i) => ({ host: `burst-${tag}-${i}.example.invalid`, username: `user${i}`, password: `secret-${tag}-${i}` });

async function burst(helper, tag) {
  const n = opts.processes;
  const creds = Array.from({ length: n }, (_, i) => credential(tag, i));
  let start = performance.now();
  const stores = await Promise.all(
    creds.map((c) => run([...helper.argv, 'store'], `protocol=https\nhost=${c.host}\nusername=${c.username}\npassword=${c.password}\n\n`)),
  );
  const storeMs = performance.now() - start;
  start = performance.now();
  const gets = await Promise.all(creds.map((c) => run([...helper.argv, 'get'], `protocol=https\nhost=${c.host}\n\n`)));
  const getMs = performance.now() - start;
  const back = gets.filter((g, i) => g.code === 0 && g.stdout.includes(`password=${creds[i].password}\n`)).length;
  const errors = new Map();
  for (const [phase, results] of [['store', stores], ['get', gets]]) {
    for (const r of results) {
      if (r.code === 0 && r.stderr === '') continue;
      const key = `${phase}: exit ${r.code}: ${firstLine(r.stderr).replace(/\d+(\.\d+)? s\b/, 'N s')}`;
      errors.set(key, (errors.get(key) ?? 0) + 1);
    }
  }
  return { back, storeMs, getMs, errors };
}

console.log(`burst: ${opts.processes} stores at once, then ${opts.processes} gets, ${opts.rounds} round(s) per helper, interleaved; ${os.cpus().length} CPUs; node ${process.version}`);
let wrong = 0;
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
for (let round = 1; round <= opts.rounds; round++) {
  // Alternate who goes first, so neither always meets a keyring the other has just grown.
  const order = round % 2 ? chosen : [...chosen].reverse();
  for (const helper of order) {
    const tag = `${helper.tag}${round}`;
    const r = await burst(helper, tag);
    const errorCount = [...r.errors.values()].reduce((a, b) => a + b, 0);
    console.log(`round ${round} | ${helper.name.padEnd(29)} | got back ${r.back}/${opts.processes} | stores ${seconds(r.storeMs)} | gets ${seconds(r.getMs)} | errors ${errorCount}`);
    for (const [line, count] of r.errors) console.log(`    ${count} x ${line}`);
    if (r.back !== opts.processes || errorCount > 0) wrong++;
  }
}
process.exitCode = wrong ? 1 : 0;
