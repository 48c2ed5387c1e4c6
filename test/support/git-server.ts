// A real smart-HTTP git server over HTTPS on 127.0.0.1 for end-to-end tests:
// Node's https module in front of `git http-backend` (CGI), with Basic auth on
// every request. Passwords are only ever handed to `authorize`; they are never
// stored, logged or put into an error message.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listenOnLoopback } from './loopback.js';

export interface GitServerOptions {
  /** Decides whether a Basic-auth username/password may access `repoPath` (e.g. "alice/project.git"). */
  authorize: (username: string, password: string, repoPath: string) => boolean;
}

export interface GitServer {
  /** e.g. https://127.0.0.1:PORT (no trailing slash) */
  url: string;
  /** "127.0.0.1:PORT", as git sends it in host= */
  host: string;
  /** PEM of the throwaway self-signed certificate, for GIT_SSL_CAINFO / http.sslCAInfo */
  caFile: string;
  /** directory holding the bare repositories */
  root: string;
  /** Creates a bare repo at root/repoPath with one commit on main; pushes are enabled. */
  createRepo(repoPath: string): Promise<void>;
  /** Replaces the policy at run time (e.g. to simulate a rotated token). */
  setAuthorize(fn: GitServerOptions['authorize']): void;
  /** One entry per request that carried Basic credentials. Never holds the password. */
  authLog: Array<{ username: string; repoPath: string; ok: boolean }>;
  /** Stops the server, kills children, removes temp dirs. */
  close(): Promise<void>;
}

interface Cert {
  cert: string;
  key: string;
}

// Generating is cheap, but every test file starting a server would repeat it.
let certPromise: Promise<Cert> | undefined;

function makeCert(): Promise<Cert> {
  certPromise ??= (async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'git-server-cert-'));
    try {
      const keyFile = path.join(dir, 'key.pem');
      const certFile = path.join(dir, 'cert.pem');
      // -config /dev/null keeps the machine's openssl.cnf from adding surprises.
      await run('/usr/bin/openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=127.0.0.1',
        '-config', '/dev/null',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-addext', 'basicConstraints=critical,CA:TRUE',
        '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
        '-addext', 'extendedKeyUsage=serverAuth',
      ], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
      return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  // A failed attempt should not poison later ones.
  certPromise.catch(() => { certPromise = undefined; });
  return certPromise;
}

function run(
  file: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; input?: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env: opts.env, cwd: opts.cwd, timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(file)} ${args[0] ?? ''} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
    // The command may exit without reading its stdin: that is no error.
    child.stdin?.on('error', () => {});
    child.stdin?.end(opts.input ?? '');
  });
}

// "alice/project.git/info/refs" -> ["alice/project.git", "/info/refs"]; rejects
// anything that could escape the project root.
function splitRepoPath(pathname: string): string | undefined {
  const m = /^\/((?:[^/]+\/)*[^/]+\.git)(?:\/.*)?$/.exec(pathname);
  const repo = m?.[1];
  if (!repo || repo.split('/').some((s) => s === '.' || s === '..' || s === '')) return undefined;
  return repo;
}

function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function headerEnd(buf: Buffer): { headerLen: number; bodyStart: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { headerLen: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headerLen: lf, bodyStart: lf + 2 };
  return undefined;
}

export async function startGitServer(opts: GitServerOptions): Promise<GitServer> {
  const { cert, key } = await makeCert();
  const base = await mkdtemp(path.join(tmpdir(), 'git-server-'));
  const root = path.join(base, 'repos');
  const home = path.join(base, 'home');
  const caFile = path.join(base, 'ca.pem');
  await Promise.all([mkdir(root), mkdir(home), writeFile(caFile, cert)]);

  // Built from scratch rather than filtered from process.env so that no GIT_*,
  // XDG_CONFIG_HOME or stray CGI variable of the test runner leaks in.
  const gitEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    LC_ALL: 'C',
  };

  let authorize = opts.authorize;
  const authLog: GitServer['authLog'] = [];
  const children = new Set<ChildProcess>();

  function deny(res: ServerResponse): void {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"', 'Content-Type': 'text/plain' });
    res.end('Authentication required\n');
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    let pathInfo: string;
    try {
      pathInfo = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const repoPath = splitRepoPath(pathInfo);
    const creds = parseBasic(req.headers.authorization);
    if (!creds) return deny(res);
    if (!repoPath) {
      res.writeHead(404).end();
      return;
    }
    let ok = false;
    try {
      ok = authorize(creds.username, creds.password, repoPath) === true;
    } catch {
      // The policy's own error could quote the password; keep it out of sight.
      ok = false;
    }
    authLog.push({ username: creds.username, repoPath, ok });
    if (!ok) return deny(res);

    const env: NodeJS.ProcessEnv = {
      ...gitEnv,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: pathInfo,
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REMOTE_USER: creds.username,
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    };
    const h = req.headers;
    if (h['content-type'] !== undefined) env.CONTENT_TYPE = h['content-type'];
    if (h['content-length'] !== undefined) env.CONTENT_LENGTH = h['content-length'];
    if (h['content-encoding'] !== undefined) env.HTTP_CONTENT_ENCODING = h['content-encoding'];
    const proto = h['git-protocol'];
    if (typeof proto === 'string') env.GIT_PROTOCOL = proto;

    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    const stderr: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    child.on('close', () => children.delete(child));
    // http-backend may exit before reading the whole body (e.g. on an error reply).
    child.stdin.on('error', () => {});
    req.pipe(child.stdin);
    // Only a client that went away early leaves a backend worth killing; after a
    // complete response the backend may still be finishing up (e.g. gc --auto).
    res.on('close', () => {
      if (!res.writableFinished && child.exitCode === null) child.kill('SIGKILL');
    });

    let head: Buffer | undefined = Buffer.alloc(0);
    child.stdout.on('data', (chunk: Buffer) => {
      if (!head) {
        if (!res.write(chunk)) {
          child.stdout.pause();
          res.once('drain', () => child.stdout.resume());
        }
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = headerEnd(head);
      if (!end) return;
      let status = 200;
      for (const line of head.subarray(0, end.headerLen).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
        else res.appendHeader(name, value);
      }
      res.writeHead(status);
      const rest = head.subarray(end.bodyStart);
      head = undefined;
      if (rest.length > 0) res.write(rest);
    });
    child.stdout.on('end', () => {
      if (head && !res.headersSent) {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`git http-backend produced no CGI headers\n${Buffer.concat(stderr).toString()}`);
      } else {
        res.end();
      }
    });
    child.on('error', (err) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`cannot run git http-backend: ${err.message}\n`);
    });
  }

  const server = https.createServer({ cert, key }, handle);
  // Clients that drop the TLS handshake are not our problem.
  server.on('tlsClientError', () => {});
  const port = await listenOnLoopback(server);

  async function createRepo(repoPath: string): Promise<void> {
    if (splitRepoPath(`/${repoPath}`) !== repoPath) throw new Error(`invalid repo path: ${repoPath}`);
    const dir = path.join(root, repoPath);
    await mkdir(dir, { recursive: true });
    const git = (args: string[], input?: string): Promise<string> =>
      run('git', args, { env: commitEnv, cwd: dir, ...(input === undefined ? {} : { input }) }).then((s) => s.trim());
    const commitEnv: NodeJS.ProcessEnv = {
      ...gitEnv,
      GIT_DIR: dir,
      GIT_AUTHOR_NAME: 'Fixture', GIT_AUTHOR_EMAIL: 'fixture@example.test',
      GIT_COMMITTER_NAME: 'Fixture', GIT_COMMITTER_EMAIL: 'fixture@example.test',
    };
    await git(['init', '--bare', '--quiet', '--initial-branch=main', dir]);
    await git(['config', 'http.receivepack', 'true']);
    // Plumbing builds the first commit without needing a work tree.
    const blob = await git(['hash-object', '-w', '--stdin'], `# ${repoPath}\n`);
    const tree = await git(['mktree'], `100644 blob ${blob}\tREADME.md\n`);
    const commit = await git(['commit-tree', tree, '-m', 'Initial commit']);
    await git(['update-ref', 'refs/heads/main', commit]);
  }

  async function close(): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    const exits = [...children].map(
      (c) => new Promise<void>((resolve) => {
        c.once('close', () => resolve());
        c.kill('SIGKILL');
      }),
    );
    await Promise.all([closed, ...exits]);
    await rm(base, { recursive: true, force: true, maxRetries: 3 });
  }

  return {
    url: `https://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    caFile,
    root,
    createRepo,
    setAuthorize: (fn) => { authorize = fn; },
    authLog,
    close,
  };
}
