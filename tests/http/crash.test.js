// crash.test.js: nothing acknowledged is lost on kill -9. A stream of
// writes runs against the server; it is killed mid-stream with SIGKILL,
// restarted on the same database, and every write that was answered 201
// must be there, whole.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer, stopServer, request, makeToken, setDefaultToken, freshDb } = require('./helpers');

test('kill -9 in the middle of a stream of writes loses no acknowledged write', async () => {
  const db = freshDb();
  const srv = await startServer(['--access-log', 'off', '--retention-every', '0'], db);
  const token = makeToken(db, 'agent');
  setDefaultToken(token);
  const acked = [];
  let stop = false;
  const writer = async (w) => {
    for (let i = 0; !stop && i < 2000; i++) {
      const key = `crash-${w}-${i}-${Date.now()}`;
      const body = { given_name: `W${w}`, family_name: `N${i}`, date_of_birth: '1980-01-01', email: `w${w}n${i}@example.org` };
      try {
        const r = await request(srv.port, 'POST', '/api/v1/people', { body, headers: { 'Idempotency-Key': key } });
        if (r.status === 201) acked.push({ id: r.body.id, body, key });
      } catch { return; } // the server died under us
    }
  };
  const writers = [0, 1, 2, 3].map(writer);
  await new Promise((r) => setTimeout(r, 700));
  srv.kill('SIGKILL');
  stop = true;
  await Promise.all(writers);
  await new Promise((r) => srv.exitCode !== null || srv.signalCode !== null ? r() : srv.on('exit', r));
  assert.ok(acked.length > 10, `only ${acked.length} writes were acknowledged before the kill`);

  const again = await startServer(['--access-log', 'off', '--retention-every', '0'], db);
  for (const a of acked) {
    const g = await request(again.port, 'GET', `/api/v1/people/${a.id}`);
    assert.equal(g.status, 200, `acknowledged person ${a.id} is missing`);
    for (const k of Object.keys(a.body)) assert.equal(g.body[k], a.body[k], `person ${a.id}.${k}`);
    // A retry of an acknowledged write gets the same answer, not a second record.
    const retry = await request(again.port, 'POST', '/api/v1/people', { body: a.body, headers: { 'Idempotency-Key': a.key } });
    assert.equal(retry.body.id, a.id);
  }
  assert.equal(await stopServer(again), 0, again.output().err);
});
