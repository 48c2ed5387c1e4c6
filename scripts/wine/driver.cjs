// The Windows scenarios: run by a Windows node.exe, under wine (scripts/wine-check)
// or on real Windows (.github/workflows/package.yml). It runs the installed helper as
// git for Windows does, a child process with Windows pipes on its stdin and stdout
// (under wine, a Unix pipe there fails every command but get/store/erase: open EBADF).
//
//   node.exe driver.cjs HELPER.cjs [--wine]           the scenarios below
//   node.exe driver.cjs HELPER.cjs --binding-error    the binding cannot load: does it say why?
//
// Prints PASS/FAIL lines and a closing `N passed, N failed`; exits 1 on any failure.
// It uses this Windows user's Credential Manager and %LOCALAPPDATA%, so it refuses
// to start where either folder it writes already exists: a throwaway profile only.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');

const [helper, ...flags] = process.argv.slice(2);
const mode = flags.find((f) => f === '--binding-error');
const underWine = flags.includes('--wine');
const deadlineFlag = flags.find((f) => f.startsWith('--deadline='));
if (!helper || process.platform !== 'win32') {
  console.error('usage (on Windows): node driver.cjs HELPER.cjs [--wine | --binding-error] [--deadline=SECONDS]');
  process.exit(2);
}
// One helper run may take this long (Node starts in 0.5-1 s under wine; a loaded
// machine makes that tens of seconds, never minutes).
const RUN_LIMIT_MS = 120_000;
// A child killed at its limit that still has not closed its pipes by then is reported
// hung and left behind (the caller's wineserver -k ends it), so that no wait here is unbounded.
const CLOSE_AFTER_KILL_MS = 15_000;

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${!ok && detail !== undefined ? ` -- ${detail}` : ''}`);
}
function note(text) {
  console.log(`     ${text}`);
}
// What the driver is doing, for the deadline's message: a driver that ran out of time
// names the step it was in and how many helpers were still running.
let step = 'starting';
const began = Date.now();
function begin(name) {
  step = name;
  note(`${((Date.now() - began) / 1000).toFixed(1)} s: ${name}`);
}
const live = new Set();
let hung = 0;
function finish() {
  console.log(`${passed} passed, ${failed} failed`);
}
if (deadlineFlag) {
  const seconds = Number(deadlineFlag.slice('--deadline='.length));
  setTimeout(() => {
    check(`the driver ends within ${seconds} s`, false, `still at "${step}" with ${live.size} child process(es) running`);
    for (const child of live) child.kill();
    finish();
    process.exit(1);
  }, seconds * 1000).unref();
}

// What git for Windows gives a helper: HOME set (to the profile), none of the Linux
// side's variables (wine passes its whole environment through).
const env = {};
for (const [name, value] of Object.entries(process.env)) {
  if (!/^(HOME|XDG_.*|DBUS_.*|GIT_CREDENTIAL_PAT_.*)$/i.test(name)) env[name] = value;
}
env.HOME = process.env.USERPROFILE;
const stateFolder = path.join(process.env.LOCALAPPDATA, 'git-credential-pat');
const indexPath = path.join(stateFolder, 'index.json');
const legacyFolder = path.join(process.env.USERPROFILE, '.local', 'state', 'git-credential-pat');

/** One run of the helper; never rejects. */
function run(args, input = '') {
  return new Promise((resolve) => {
    const started = Date.now();
    // The driver's console is inherited, as from a git run in a terminal. (Under wine 8,
    // `list` in a child with no console, windowsHide, aborts in libuv's process title.)
    const child = spawn(process.execPath, [helper, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '';
    let stderr = '';
    let settled = false;
    const settle = (code, extra = '') => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      clearTimeout(hungTimer);
      live.delete(child);
      resolve({ code, stdout, stderr: stderr + extra, ms: Date.now() - started });
    };
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    let hungTimer;
    const killTimer = setTimeout(() => {
      child.kill();
      hungTimer = setTimeout(() => (hung++, settle(null, `[driver: ${args[0]} still running ${(RUN_LIMIT_MS + CLOSE_AFTER_KILL_MS) / 1000} s after it started, ${CLOSE_AFTER_KILL_MS / 1000} s after it was killed]`)), CLOSE_AFTER_KILL_MS);
    }, RUN_LIMIT_MS);
    child.on('error', (error) => (stderr += String(error)));
    child.on('close', (code) => settle(code, code === null ? `[driver: ${args[0]} killed after ${RUN_LIMIT_MS / 1000} s]` : ''));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

function request(fields) {
  return (
    Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}\n`)
      .join('') + '\n'
  );
}
const store = (host, username, password) => run(['store'], request({ protocol: 'https', host, username, password }));
const get = (host, username) => run(['get'], request({ protocol: 'https', host, username }));
const erase = (host, username, password) => run(['erase'], request({ protocol: 'https', host, username, password }));
const answer = (username, password) => `username=${username}\npassword=${password}\n`;
const clean = (r) => r.code === 0 && r.stderr === '';
const show = (r) => JSON.stringify({ code: r.code, stdout: r.stdout.replace(/password=.*/g, 'password=…'), stderr: r.stderr });

function indexRows() {
  try {
    return JSON.parse(fs.readFileSync(indexPath, 'utf8')).items;
  } catch (error) {
    return error.code === 'ENOENT' ? [] : `unreadable: ${error.message}`;
  }
}
const accountsOf = (host) => (Array.isArray(indexRows()) ? indexRows() : []).filter((r) => r.target.host === host).map((r) => r.username).sort();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function bindingError() {
  const r = await get('binding.wine.test');
  const lines = r.stderr.split('\n').filter(Boolean);
  note(`get said: ${r.stderr.trim()}`);
  check(
    "a binding that cannot load says why, in one line: the platform package's own loader error, not npm advice",
    r.code !== 0 && lines.length === 1 && /keyring-win32-x64-msvc did not load: /.test(r.stderr) && /keyring\.win32-x64-msvc\.node/.test(r.stderr) && !/npm has a bug/.test(r.stderr),
    show(r),
  );
}

async function scenarios() {
  if (fs.existsSync(stateFolder) || fs.existsSync(legacyFolder)) {
    console.error(`driver: ${stateFolder} or ${legacyFolder} exists: run this only in a throwaway Windows profile`);
    process.exit(2);
  }
  const hosts = new Set();
  const started = Date.now();

  // 1. The state folder, and an older version's one moved into it.
  begin('1. the state folder');
  const oldRow = { target: { protocol: 'https', host: 'moved.wine.test' }, username: 'old', storedAt: 1234, metadata: { login: 'old-login', scopes: null } };
  fs.mkdirSync(legacyFolder, { recursive: true });
  fs.writeFileSync(path.join(legacyFolder, 'index.json'), JSON.stringify({ version: 1, items: [oldRow] }));
  hosts.add('a.wine.test');
  let r = await store('a.wine.test', 'alice', 'pa1');
  check('store with a username', clean(r), show(r));
  check(`the state folder is %LOCALAPPDATA%\\git-credential-pat (${stateFolder})`, accountsOf('a.wine.test').includes('alice'), JSON.stringify(indexRows()));
  const moved = (Array.isArray(indexRows()) ? indexRows() : []).find((row) => row.target.host === 'moved.wine.test');
  check('an older ~\\.local\\state\\git-credential-pat moved into it, once, row and metadata whole', isDeepStrictEqual(moved, oldRow) && !fs.existsSync(legacyFolder), JSON.stringify(indexRows()));
  hosts.add('moved.wine.test');
  r = await store('moved.wine.test', 'old', 'pm1');
  check('store for the moved row', clean(r), show(r));

  // 2. get, store and erase, with and without a username.
  begin('2. get, store and erase');
  r = await get('a.wine.test', 'alice');
  check('get with a username', clean(r) && r.stdout === answer('alice', 'pa1'), show(r));
  r = await store('a.wine.test', 'bob', 'pb1');
  check('store a second account for the same host', clean(r), show(r));
  r = await get('a.wine.test');
  check('get with no username answers (the index names the accounts; no keychain search): the most recently stored', clean(r) && r.stdout === answer('bob', 'pb1'), show(r));
  r = await get('a.wine.test', 'alice');
  check('get with a username still finds the first account', clean(r) && r.stdout === answer('alice', 'pa1'), show(r));
  r = await erase('a.wine.test', 'alice', 'old-password');
  const kept = await get('a.wine.test', 'alice');
  check('erase with a username and another password keeps the item', clean(r) && kept.stdout === answer('alice', 'pa1'), show(r));
  r = await erase('a.wine.test', 'alice', 'pa1');
  const gone = await get('a.wine.test', 'alice');
  check('erase with a username removes that item and its row, and only it', clean(r) && gone.stdout === '' && isDeepStrictEqual(accountsOf('a.wine.test'), ['bob']), `${show(r)} ${show(gone)} ${accountsOf('a.wine.test')}`);
  hosts.add('c.wine.test');
  r = await store('c.wine.test', undefined, 'pc1');
  const none = await get('c.wine.test');
  check('store with no username stores nothing (git always sends one)', clean(r) && none.stdout === '' && accountsOf('c.wine.test').length === 0, `${show(r)} ${show(none)}`);
  r = await store('a.wine.test', 'carol', 'pc2');
  check('store a third account', clean(r), show(r));
  r = await erase('a.wine.test');
  const afterErase = await Promise.all([get('a.wine.test', 'bob'), get('a.wine.test', 'carol'), get('a.wine.test')]);
  check(
    'erase with no username removes every account of the host, items and rows',
    clean(r) && afterErase.every((g) => clean(g) && g.stdout === '') && accountsOf('a.wine.test').length === 0,
    `${show(r)} ${afterErase.map(show).join(' ')} ${accountsOf('a.wine.test')}`,
  );
  note(`get, store and erase: ${seconds(Date.now() - started)}`);

  // 3. list, status and doctor read the index; they must not shrink it (wine's
  // CredEnumerate matches only a trailing `*`, so a keychain search finds nothing).
  begin('3. list, status and doctor');
  hosts.add('l.wine.test');
  for (const user of ['u1', 'u2', 'u3']) {
    r = await store('l.wine.test', user, `pl-${user}`);
    if (!clean(r)) check(`store l.wine.test ${user}`, false, show(r));
  }
  const before = indexRows();
  const recorded = Array.isArray(before) && ['u1', 'u2', 'u3'].every((u) => before.some((row) => row.target.host === 'l.wine.test' && row.username === u));
  for (const args of [['list'], ['list', '--json'], ['status'], ['doctor']]) {
    r = await run(args);
    const same = isDeepStrictEqual(indexRows(), before);
    const named = args[0] !== 'list' || ['u1', 'u2', 'u3', 'old'].every((u) => r.stdout.includes(u));
    check(
      `${args.join(' ')}: nothing lost from the index (${Array.isArray(before) ? before.length : 0} rows)${args[0] === 'list' ? ', every account listed' : ''}, no stack trace`,
      recorded && same && named && !/\n\s+at /.test(r.stderr) && (args[0] !== 'list' || r.code === 0),
      `${show(r)} index now ${JSON.stringify(indexRows())}`,
    );
  }
  r = await get('l.wine.test');
  check('get with no username after list, status and doctor', clean(r) && r.stdout === answer('u3', 'pl-u3'), show(r));

  // 4. Windows refuses to rename over a file another process holds open: the rule the retries are for.
  const probe = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'gcp-probe-')), 'probe');
  fs.writeFileSync(`${probe}.a`, 'a');
  fs.writeFileSync(`${probe}.b`, 'b');
  const held = fs.openSync(`${probe}.a`, 'r');
  let refusal = 'none';
  try {
    fs.renameSync(`${probe}.b`, `${probe}.a`);
  } catch (error) {
    refusal = error.code;
  }
  fs.closeSync(held);
  fs.rmSync(path.dirname(probe), { recursive: true, force: true });
  // Under wine it must be refused, or the rounds below would prove nothing; on Windows, say what it did.
  if (underWine) check(`a rename over a file held open is refused here (${refusal}), as Windows refuses it`, ['EPERM', 'EACCES', 'EBUSY'].includes(refusal));
  else note(`a rename over a file held open: ${refusal === 'none' ? 'allowed' : `refused (${refusal})`}`);

  // 5. Stores and erases in parallel while a reader keeps opening index.json and holding it.
  begin('5. parallel stores and erases');
  hosts.add('par.wine.test');
  const N = 20;
  const password = (round, i) => `pp-${round}-${i}`;
  const user = (round, i) => `u${round}-${i}`;
  const range = [...Array(N).keys()];
  // Another process that opens index.json, holds it 10 ms and lets go for 10 ms, over
  // and over: a helper's own read holds it far shorter, but there are many of them.
  const HOLD_MS = 10;
  const stop = path.join(stateFolder, 'reader.stop');
  const readerCode = `
    const fs = require('node:fs');
    const [file, stop, hold] = process.argv.slice(1);
    const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    let reads = 0, longest = 0;
    while (!fs.existsSync(stop)) {
      try {
        const started = Date.now();
        const fd = fs.openSync(file, 'r');
        reads++;
        fs.readSync(fd, Buffer.alloc(4096));
        pause(Number(hold));
        fs.closeSync(fd);
        longest = Math.max(longest, Date.now() - started);
      } catch {}
      pause(Number(hold));
    }
    process.stdout.write(reads + ' ' + longest);`;
  const readerProcess = spawn(process.execPath, ['-e', readerCode, indexPath, stop, String(HOLD_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let readerOut = '';
  readerProcess.stdout.setEncoding('utf8').on('data', (d) => (readerOut += d));
  live.add(readerProcess);
  const readerDone = new Promise((resolve) => readerProcess.on('close', resolve)).then(() => live.delete(readerProcess));
  let t = Date.now();
  begin(`5. ${N} stores in parallel`);
  const seeded = await Promise.all(range.map((i) => store('par.wine.test', user(0, i), password(0, i))));
  check(`${N} stores in parallel, a reader holding index.json open: 0 failures (${seconds(Date.now() - t)})`, seeded.every(clean), seeded.filter((x) => !clean(x)).map(show).join(' '));
  for (let round = 1; round <= 3; round++) {
    t = Date.now();
    begin(`5. round ${round}`);
    const results = await Promise.all([
      ...range.map((i) => store('par.wine.test', user(round, i), password(round, i))),
      ...range.map((i) => erase('par.wine.test', user(round - 1, i), password(round - 1, i))),
    ]);
    const failures = results.filter((x) => !clean(x));
    const elapsed = Date.now() - t;
    check(`round ${round}: ${N} stores and ${N} erases in parallel, a reader holding index.json open: ${failures.length} failures (${seconds(elapsed)})`, failures.length === 0, failures.map(show).join(' '));
    const expected = range.map((i) => user(round, i)).sort();
    check(`round ${round}: the index is exactly the ${N} accounts stored, none erased`, isDeepStrictEqual(accountsOf('par.wine.test'), expected), JSON.stringify(accountsOf('par.wine.test')));
    const leftovers = fs.readdirSync(stateFolder).filter((name) => name.endsWith('.tmp') || name.endsWith('.lock'));
    check(`round ${round}: no temporary or lock file left in the state folder`, leftovers.length === 0, leftovers.join(' '));
  }
  fs.writeFileSync(stop, '');
  // The reader sees the stop file within one pause; one that does not is ended here.
  const readerEnded = await Promise.race([readerDone.then(() => true), new Promise((resolve) => setTimeout(resolve, 30_000, false).unref())]);
  if (!readerEnded) readerProcess.kill();
  fs.rmSync(stop, { force: true });
  const [reads, longest] = readerOut.split(' ').map(Number);
  check(`the reader held index.json open all along (${reads} times, ${HOLD_MS} ms each, at most ${longest} ms at a time)`, reads > 100, readerOut);
  t = Date.now();
  begin(`5. ${2 * N} gets in parallel`);
  const present = await Promise.all(range.map((i) => get('par.wine.test', user(3, i))));
  const absent = await Promise.all(range.map((i) => get('par.wine.test', user(2, i))));
  check(
    `after the rounds the keychain holds exactly the last round's ${N} items (${2 * N} gets, ${seconds(Date.now() - t)})`,
    present.every((g, i) => clean(g) && g.stdout === answer(user(3, i), password(3, i))) && absent.every((g) => clean(g) && g.stdout === ''),
    [...present, ...absent].filter((g) => !clean(g)).map(show).join(' '),
  );

  // Leave Credential Manager as it was found.
  begin('erasing what the scenarios stored');
  for (const host of hosts) await erase(host);
  note(`scenarios: ${seconds(Date.now() - started)}`);
}

(mode === '--binding-error' ? bindingError() : scenarios())
  .catch((error) => check('the driver itself', false, error && error.stack))
  .finally(() => {
    // A step that threw may leave a reader or helpers behind; they must not keep the driver alive.
    for (const child of live) child.kill();
    finish();
    process.exitCode = failed === 0 ? 0 : 1;
    // A helper reported hung still holds its pipes and would keep this process alive
    // (the summary is written: wine-check gives the driver a file, written synchronously).
    if (hung > 0) process.exit();
  });
