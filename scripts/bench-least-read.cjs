// The benchmark's lower bound for a Node keychain helper on Linux: the least a Node
// process can do to answer `get` from the Secret Service. It reads git's request
// like the trivial helper, then makes the same three round trips our reader makes
// (AUTH+BEGIN+Hello+SearchItems in one write, OpenSession "plain", GetSecrets) with
// messages encoded by hand for exactly these calls, reads the first item found and
// prints it. No codec, no checks, no timeouts, no fallbacks: not a helper anyone
// should use, only the measure of what any Node helper must pay at least.
//
//   BENCH_SERVICE=<service attribute> node scripts/bench-least-read.cjs get
'use strict';
const net = require('node:net');

const service = process.env.BENCH_SERVICE;
const address = /^unix:path=([^,]+)/.exec(process.env.DBUS_SESSION_BUS_ADDRESS ?? '');
if (!service || !address) fail('needs BENCH_SERVICE and a unix:path= DBUS_SESSION_BUS_ADDRESS');

// ---- little-endian D-Bus marshalling, only what these four calls need ----
const u32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const padTo = (bytes, align) => (bytes.length % align ? Buffer.concat([bytes, Buffer.alloc(align - (bytes.length % align))]) : bytes);
// A string or object path at an offset that is already 4-aligned.
const str = (text) => Buffer.concat([u32(Buffer.byteLength(text)), Buffer.from(`${text}\0`)]);
const field = (code, type, value) => Buffer.concat([Buffer.from([code, 1, type.charCodeAt(0), 0]), value]);
let serial = 0;
function call(path, iface, member, destination, signature, body) {
  const fields = [field(1, 'o', str(path)), field(2, 's', str(iface)), field(3, 's', str(member)), field(6, 's', str(destination))];
  if (signature) fields.push(field(8, 'g', Buffer.from([signature.length, ...Buffer.from(signature), 0])));
  let array = Buffer.alloc(0);
  for (const f of fields) array = Buffer.concat([padTo(array, 8), f]);
  const header = Buffer.from([0x6c, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  header.writeUInt32LE(body.length, 4);
  header.writeUInt32LE(++serial, 8);
  header.writeUInt32LE(array.length, 12);
  return Buffer.concat([padTo(Buffer.concat([header, array]), 8), body]);
}
const SECRETS = ['/org/freedesktop/secrets', 'org.freedesktop.Secret.Service'];
const secrets = (member, signature, body) => call(...SECRETS, member, 'org.freedesktop.secrets', signature, body);

const hello = call('/org/freedesktop/DBus', 'org.freedesktop.DBus', 'Hello', 'org.freedesktop.DBus', '', Buffer.alloc(0));
// a{ss} with one entry: length, padding to the 8-aligned entry, key, value.
const entry = Buffer.concat([padTo(str('service'), 4), str(service)]);
const search = secrets('SearchItems', 'a{ss}', Buffer.concat([u32(entry.length), Buffer.alloc(4), entry]));
// sv: "plain", then a variant holding the empty string.
const openSession = secrets('OpenSession', 'sv', Buffer.concat([str('plain'), Buffer.from([1, 0x73, 0, 0, 0, 0]), u32(0), Buffer.alloc(1)]));
const getSecrets = (item, session) => {
  const items = str(item);
  return secrets('GetSecrets', 'aoo', Buffer.concat([padTo(Buffer.concat([u32(items.length), items]), 4), str(session)]));
};

// ---- replies, in the order the calls went out (signals skipped) ----
const replies = [];
let pending = Buffer.alloc(0);
let authenticated = false;
function collect(chunk) {
  pending = Buffer.concat([pending, chunk]);
  if (!authenticated) {
    const end = pending.indexOf(0x0a);
    if (end < 0) return;
    if (!pending.subarray(0, 3).equals(Buffer.from('OK '))) fail('the bus refused authentication');
    authenticated = true;
    pending = pending.subarray(end + 1);
  }
  while (pending.length >= 16) {
    const fieldsEnd = 16 + pending.readUInt32LE(12);
    const bodyStart = fieldsEnd + ((8 - (fieldsEnd % 8)) % 8);
    const end = bodyStart + pending.readUInt32LE(4);
    if (pending.length < end) return;
    const type = pending[1];
    if (type === 2 || type === 3) replies.push({ error: type === 3, body: pending.subarray(bodyStart, end) });
    pending = pending.subarray(end);
  }
}
// The first string of a body whose first value is a string or an object path, or an array of them.
const firstString = (body, at) => body.toString('utf8', at + 4, at + 4 + body.readUInt32LE(at));

const socket = net.connect(address[1]);
socket.on('error', (error) => fail(error.code ?? error.message));
let item;
let asked = 2; // replies awaited: Hello's and the search's
socket.on('data', (chunk) => {
  collect(chunk);
  if (replies.length < asked) return;
  const reply = replies[asked - 1];
  if (asked === 2) {
    // gnome-keyring answers UnknownMethod until it has registered a new client: ask again.
    if (reply.error) return void (replies.pop(), socket.write(search));
    if (reply.body.readUInt32LE(0) === 0) fail('nothing stored');
    item = firstString(reply.body, 4);
    socket.write(openSession);
  } else if (asked === 3) {
    if (reply.error) fail('OpenSession failed');
    // vo: the variant (signature "s", the empty string), then the session's path at 12.
    socket.write(getSecrets(item, firstString(reply.body, 12)));
  } else {
    if (reply.error) fail('GetSecrets failed');
    // a{o(oayays)}: array length, padding, item path, padding to the struct, session path, parameters, value.
    const body = reply.body;
    let at = 8;
    at += 4 + body.readUInt32LE(at) + 1;
    at += (8 - (at % 8)) % 8;
    at += 4 + body.readUInt32LE(at) + 1;
    at += (4 - (at % 4)) % 4;
    at += 4 + body.readUInt32LE(at);
    at += (4 - (at % 4)) % 4;
    process.stdout.write(`username=u\npassword=${firstString(body, at)}\n`);
    socket.destroy();
    return;
  }
  asked++;
});

// git's request, read to the end as the trivial helper reads it; then the calls go out.
process.stdin.on('data', () => {}).on('end', () => {
  socket.write(Buffer.concat([Buffer.from(`\0AUTH EXTERNAL ${Buffer.from(String(process.getuid())).toString('hex')}\r\nBEGIN\r\n`), hello, search]));
});

function fail(reason) {
  process.stderr.write(`bench-least-read: ${reason}\n`);
  process.exit(1);
}
