// hostile.test.js: slow clients and floods of connections do not take the
// server down: others are still answered promptly, idle and trickling
// connections are cut at the timeout, and the server frees what they held.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const net = require('node:net');
const http = require('node:http');
const { startServer, stopServer, request, makeToken, setDefaultToken } = require('./helpers');

const TIMEOUT = 3; // seconds: serve --timeout
let srv;

test.before(async () => {
  srv = await startServer(['--timeout', String(TIMEOUT)]);
  setDefaultToken(makeToken(srv.db, 'agent'));
});
test.after(async () => { assert.equal(await stopServer(srv), 0); });

const connect = () => new Promise((resolve, reject) => {
  const s = net.connect(srv.port, '127.0.0.1', () => resolve(s));
  s.on('error', reject);
});
const closed = (s) => new Promise((resolve) => {
  if (s.destroyed) return resolve(true);
  s.on('close', () => resolve(true));
});
async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return { r, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

test('a flood of idle connections: others are still served, and the idle ones are cut at the timeout', async () => {
  const idle = [];
  for (let i = 0; i < 1500; i++) idle.push(await connect());
  idle.forEach((s) => s.on('error', () => {}));
  // While they sit there, a real client is answered at once, many times.
  for (let i = 0; i < 20; i++) {
    const { r, ms } = await timed(() => request(srv.port, 'GET', '/healthz', { auth: false }));
    assert.equal(r.status, 200);
    assert.ok(ms < 2000, `healthz took ${ms} ms under the flood`);
  }
  // Every idle connection is closed by the server within the timeout (and a margin).
  const deadline = new Promise((resolve) => setTimeout(() => resolve('late'), (TIMEOUT + 5) * 1000));
  const all = Promise.all(idle.map(closed));
  assert.notEqual(await Promise.race([all, deadline]), 'late', 'idle connections were not closed at the timeout');
});

test('slow clients (a header a byte at a time, a body that stalls) do not hold up others', async () => {
  const slow = [];
  for (let i = 0; i < 200; i++) {
    const s = await connect();
    s.on('error', () => {});
    s.write(i % 2 ? 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ' : 'POST /api/v1/people HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"given_');
    slow.push(s);
  }
  // Trickle a byte now and then on the header ones, more slowly than the timeout allows in total.
  const trickle = setInterval(() => slow.forEach((s, i) => { if (i % 2 && !s.destroyed) s.write('a'); }), 500);
  try {
    for (let i = 0; i < 20; i++) {
      const { r, ms } = await timed(() => request(srv.port, 'GET', '/api/v1/people?limit=1'));
      assert.equal(r.status, 200);
      assert.ok(ms < 2000, `a normal request took ${ms} ms among slow clients`);
    }
    // The stalled bodies are cut at the idle timeout; nothing was created from them.
    const stalled = slow.filter((_, i) => i % 2 === 0);
    const deadline = new Promise((resolve) => setTimeout(() => resolve('late'), (TIMEOUT + 5) * 1000));
    assert.notEqual(await Promise.race([Promise.all(stalled.map(closed)), deadline]), 'late');
    const people = await request(srv.port, 'GET', '/api/v1/people?limit=1000');
    assert.equal(people.status, 200);
    assert.ok(!people.body.items.some((p) => (p.given_name || '').startsWith('given')));
  } finally {
    clearInterval(trickle);
    slow.forEach((s) => s.destroy());
  }
  // Still well afterwards.
  assert.equal((await request(srv.port, 'GET', '/healthz', { auth: false })).status, 200);
});

test('a burst of many parallel connections is answered in full', async () => {
  const n = 500;
  // A server with the usual idle timeout: the short one above would cut
  // connections still queued behind the burst on a slow machine.
  const own = await startServer([]);
  // Each on its own connection, all at once.
  const get = (path) => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: own.port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
  try {
    const codes = await Promise.all(Array.from({ length: n }, (_, i) => get(i % 2 ? '/healthz' : '/api/v1/services')));
    assert.equal(codes.filter((c) => c === 200).length, n);
  } finally {
    assert.equal(await stopServer(own), 0);
  }
});
