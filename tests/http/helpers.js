// helpers.js: start the real frontdoor binary on a free port and talk HTTP to it.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const http = require('node:http');
const net = require('node:net');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const assert = require('node:assert/strict');

const BIN = process.env.FD_BIN || path.join(__dirname, '../../build-asan/frontdoor');

// A database for one server: a new SQLite file, or the PostgreSQL URL the
// test run gives (a fresh database per run; tests never assume it is empty).
function freshDb() {
  if (process.env.FD_TEST_PG_URL) return ['--pg', process.env.FD_TEST_PG_URL];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-http-'));
  return ['--db', path.join(dir, 'test.db')];
}

// Starts `frontdoor serve` on 127.0.0.1:0 and resolves once it listens.
function startServer(extra = [], db = freshDb()) {
  return new Promise((resolve, reject) => {
    const args = ['serve', ...db, '--listen', '127.0.0.1:0', '--threads', '2', ...extra];
    const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '', out = '';
    child.stdout.on('data', (d) => { out += d; });
    const timer = setTimeout(() => reject(new Error('server did not start: ' + err)), 20000);
    child.stderr.on('data', (d) => {
      err += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(err);
      if (m && !child.port) {
        child.port = Number(m[1]);
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); if (!child.port) reject(new Error(`server exited ${code}: ${err}`)); });
    child.output = () => ({ out, err });
    child.db = db;
  });
}

// Sends SIGTERM and resolves with the exit code.
function stopServer(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.on('exit', (code, sig) => resolve(code === null ? sig : code));
    child.kill('SIGTERM');
  });
}

// A test file's server: started with these flags, with an agent's token
// as the default for request(). Resolves { srv, port }.
async function serve(extra = []) {
  const srv = await startServer(extra);
  setDefaultToken(makeToken(srv.db, 'agent'));
  return { srv, port: srv.port };
}

// Stops a test file's server, which must exit 0 (a leak found by the
// sanitizers, say, makes it fail).
async function finishServer(srv) {
  assert.equal(await stopServer(srv), 0, srv.output().err);
}

// A port free on 127.0.0.1 just now.
function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

// The SMTP sink: a real SMTP server (Debian's python3-aiosmtpd) on port;
// msgs collects what it accepted. It refuses the first failFirst messages once.
function startSink(port, failFirst = 0) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [path.join(__dirname, 'smtp_sink.py'), String(port), String(failFirst)],
      { stdio: ['pipe', 'pipe', 'pipe'] });
    child.msgs = [];
    let out = '', err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d) => {
      out += d;
      let nl;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith('listening ')) resolve(child);
        else if (line.trim()) child.msgs.push(JSON.parse(line));
      }
    });
    child.on('exit', (code) => reject(new Error(`smtp sink exited ${code}: ${err}`)));
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

// The bearer token sent when a request gives no Authorization of its own
// (set by each test file from makeToken); `auth: false` sends none.
let defaultToken = null;
function setDefaultToken(t) { defaultToken = t; }

// An API token for role (and department) in the server's database.
function makeToken(db, role, department, scopes = 'read write') {
  const args = ['token', 'create', ...db, '--name', `test ${role}`, '--role', role, '--scopes', scopes];
  if (department) args.push('--department', department);
  const r = run(args);
  if (r.code !== 0) throw new Error('token create failed: ' + r.stderr);
  return r.stdout.trim();
}

// A user (staff or resident) with this password.
function makeUser(db, email, role, password, extra = []) {
  const r = run(['user', 'add', ...db, '--email', email, '--role', role, ...extra], { input: password + '\n' });
  if (r.code !== 0) throw new Error('user add failed: ' + r.stderr);
  return Number(/user (\d+)/.exec(r.stdout)[1]);
}

// One HTTP request; resolves {status, headers, body (parsed if JSON), text, reused}.
function request(port, method, urlPath, { body, headers = {}, raw, auth = true } = {}) {
  return new Promise((resolve, reject) => {
    const data = raw !== undefined ? raw : body !== undefined ? JSON.stringify(body) : undefined;
    const h = { ...headers };
    if (auth && defaultToken && !('Authorization' in h) && !('Cookie' in h)) h.Authorization = 'Bearer ' + defaultToken;
    if (data !== undefined && !('Content-Type' in h)) h['Content-Type'] = 'application/json';
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers: h, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed;
        try { parsed = JSON.parse(text); } catch { parsed = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body: parsed, text, reused: req.reusedSocket });
      });
    });
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

// Runs the binary to completion: {code, stdout, stderr}.
function run(args, opts = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 120000, ...opts });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Every record of a collection, following next_cursor.
async function listAll(port, collection) {
  let cursor = null;
  const items = [];
  for (;;) {
    const r = await request(port, 'GET', `/api/v1/${collection}?limit=1000${cursor ? '&cursor=' + cursor : ''}`);
    if (r.status !== 200) throw new Error('list failed: ' + r.text);
    items.push(...r.body.items);
    if (!r.body.next_cursor) return items;
    cursor = r.body.next_cursor;
  }
}

module.exports = { BIN, freePort, startSink, startServer, stopServer, serve, finishServer, request, run, listAll, freshDb, agent, makeToken, makeUser, setDefaultToken };
