// server.test.js: the HTTP server itself: health, metrics, keep-alive,
// limits, errors for unknown routes, the access log, graceful shutdown.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { finishServer, serve, startServer, stopServer, request, makeToken } = require('./helpers');

let srv, port, logFile;
test.before(async () => {
  logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fd-log-')), 'access.log');
  ({ srv, port } = await serve(['--access-log', logFile, '--max-body', '4096']));
});
test.after(() => finishServer(srv));

test('healthz answers with the database it uses', async () => {
  const r = await request(port, 'GET', '/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'ok');
  assert.equal(r.body.database, process.env.FD_TEST_PG_URL ? 'postgresql' : 'sqlite');
  assert.ok(r.body.schema_version >= 1);
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
});

test('a second request reuses the keep-alive connection', async () => {
  const a = await request(port, 'GET', '/healthz');
  const b = await request(port, 'GET', '/healthz');
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);
  assert.equal(b.reused, true, 'the second request should travel on the first one\'s connection');
});

test('keep-alive on one raw socket: two requests, two answers, one connection', async () => {
  const text = await new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    s.on('data', (d) => {
      buf += d;
      if ((buf.match(/HTTP\/1\.1 200/g) || []).length === 2 && buf.trim().endsWith('}')) { s.end(); resolve(buf); }
    });
    s.on('error', reject);
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    setTimeout(() => reject(new Error('timeout: ' + buf)), 5000);
  });
  assert.doesNotMatch(text, /Connection: close/i);
});

test('unknown path is 404, wrong method 405 with Allow', async () => {
  const a = await request(port, 'GET', '/nothing/here');
  assert.equal(a.status, 404);
  assert.match(a.headers['content-type'], /application\/problem\+json/);
  const b = await request(port, 'DELETE', '/api/v1/people');
  assert.equal(b.status, 405);
  assert.match(b.headers.allow, /GET/);
  assert.match(b.headers.allow, /POST/);
});

test('a body over the limit is 413 and saves nothing', async () => {
  const big = JSON.stringify({ given_name: 'A', family_name: 'B', accessibility_needs: 'x'.repeat(8000) });
  const r = await request(port, 'POST', '/api/v1/people', { raw: big });
  assert.equal(r.status, 413);
  assert.match(r.headers['content-type'], /application\/problem\+json/);
  // Chunked, with no Content-Length, is bounded too.
  const text = await new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    s.on('data', (d) => { buf += d; if (/\r\n\r\n[\s\S]*\}/.test(buf)) { s.destroy(); resolve(buf); } });
    s.on('error', () => resolve(buf));
    s.write('POST /api/v1/people HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = 'x'.repeat(3000);
    for (let i = 0; i < 4; i++) s.write(chunk.length.toString(16) + '\r\n' + chunk + '\r\n');
    s.write('0\r\n\r\n');
    setTimeout(() => reject(new Error('timeout: ' + buf)), 5000);
  });
  assert.match(text, /^HTTP\/1\.1 413/);
});

test('a header line of 12 kB (a browser with many cookies) is read', async () => {
  const ok = await request(port, 'GET', '/healthz', { headers: { Cookie: 'x=' + 'a'.repeat(12000) } });
  assert.equal(ok.status, 200);
});

test('metrics count requests by route and status, with a latency histogram', async () => {
  await request(port, 'GET', '/healthz');
  await request(port, 'GET', '/api/v1/people/999999999');
  const r = await request(port, 'GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^text\/plain/);
  assert.match(r.text, /frontdoor_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
  assert.match(r.text, /frontdoor_http_requests_total\{method="GET",route="\/api\/v1\/people\/\{id\}",status="404"\} \d+/);
  assert.match(r.text, /frontdoor_http_request_duration_seconds_bucket\{method="GET",route="\/healthz",le="\+Inf"\} \d+/);
  assert.match(r.text, /# TYPE frontdoor_http_request_duration_seconds histogram/);
});

test('the API document lists every route', async () => {
  const r = await request(port, 'GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.equal(r.body.openapi, '3.1.0');
  for (const p of ['/api/v1/people', '/api/v1/people/{id}', '/api/v1/properties/{id}', '/api/v1/households']) assert.ok(r.body.paths[p], p);
  assert.ok(r.body.paths['/api/v1/people/{id}'].patch);
  assert.deepEqual(r.body.components.schemas.person.required.sort(), ['family_name', 'given_name']);
});

test('the access log has a line per request', async () => {
  await request(port, 'GET', '/healthz?probe=1');
  // The line is written when the exchange completes, just after the answer.
  let log = '';
  for (let i = 0; i < 50 && !/"GET \/healthz" 400/.test(log); i++) {
    log = fs.readFileSync(logFile, 'utf8');
    await new Promise((r) => setTimeout(r, 40));
  }
  assert.match(log, /127\.0\.0\.1 "GET \/healthz" 400 \d+ \d+\.\d+/);
  assert.match(log, /"GET \/api\/v1\/people\/999999999" 404/);
});

test('SIGTERM lets a request in flight finish, then exits 0', async () => {
  const s2 = await startServer(['--access-log', 'off']);
  const body = JSON.stringify({ given_name: 'Last', family_name: 'Request' });
  const sock = net.connect(s2.port, '127.0.0.1');
  await new Promise((r) => sock.on('connect', r));
  let answer = '';
  sock.on('data', (d) => { answer += d; });
  // Headers and half the body, then the signal, then the rest.
  const token = makeToken(s2.db, 'agent');
  sock.write(`POST /api/v1/people HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n` + body.slice(0, 10));
  await new Promise((r) => setTimeout(r, 300));
  const exited = new Promise((r) => s2.on('exit', (code) => r(code)));
  s2.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  sock.write(body.slice(10));
  const code = await exited;
  assert.match(answer, /^HTTP\/1\.1 201/, answer);
  assert.equal(code, 0, s2.output().err);
  // And the record it created is there for the next server.
  const s3 = await startServer(['--access-log', 'off'], s2.db);
  const id = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).id;
  const r = await request(s3.port, 'GET', `/api/v1/people/${id}`, { headers: { Authorization: 'Bearer ' + token } });
  assert.equal(r.body.family_name, 'Request');
  assert.equal(await stopServer(s3), 0);
});

test('a port in use, even by another frontdoor, is one line and exit 2', async () => {
  const { run } = require('./helpers');
  // Each worker has a listening socket of its own on the port (SO_REUSEPORT);
  // a second server must still not join them.
  const r = run(['serve', ...srv.db, '--listen', `127.0.0.1:${port}`, '--access-log', 'off']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^frontdoor: cannot listen on 127\.0\.0\.1:\d+ \(the port is in use\)$/m);
  assert.doesNotMatch(r.stderr, /listening on/);
  // The first server still answers, on new connections to any of its workers.
  const answers = await Promise.all(Array.from({ length: 16 }, () =>
    request(port, 'GET', '/healthz', { headers: { Connection: 'close' } })));
  assert.deepEqual(answers.map((a) => a.status), Array(16).fill(200));
});
