// retention.test.js: retention periods applied by `frontdoor retention` and
// by the server's own schedule.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, stopServer, request, run, makeToken, makeUser, setDefaultToken, freshDb } = require('./helpers');

const PW = 'retention password 1';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-ret-'));
const rules = (text) => { const f = path.join(dir, `rules-${Math.random()}.tsv`); fs.writeFileSync(f, text); return f; };

test('frontdoor retention erases the long dead, and with a later date purges old records', async () => {
  const srv = await startServer(['--access-log', 'off', '--retention-every', '0']);
  const port = srv.port;
  const db = srv.db;
  setDefaultToken(makeToken(db, 'agent'));
  const dpo = makeToken(db, 'dpo');
  const mk = async (body, headers = {}) => (await request(port, 'POST', '/api/v1/people', { body, headers })).body.id;
  const longAgo = await mk({ given_name: 'Ada', family_name: 'Gone', date_of_death: '2001-02-03' });
  const recent = await mk({ given_name: 'Bea', family_name: 'Recent', date_of_death: new Date(Date.now() - 86400000).toISOString().slice(0, 10) }, { 'Idempotency-Key': 'ret-' + Date.now() });
  const alive = await mk({ given_name: 'Cy', family_name: 'Here' });
  const email = `cy${Date.now()}@example.org`;
  makeUser(db, email, 'resident', PW, ['--person', String(alive)]);
  const s = await request(port, 'POST', '/api/v1/sessions', { body: { email, password: PW }, auth: false });
  const cookie = s.headers['set-cookie'][0].split(';')[0];

  const now = run(['retention', ...db]);
  assert.equal(now.code, 0, now.stderr);
  assert.match(now.stdout, /retention: \d+ sessions, \d+ idempotency keys, \d+ audit entries deleted; [1-9]\d* people erased/);
  const gone = await request(port, 'GET', `/api/v1/people/${longAgo}`);
  assert.equal(gone.body.given_name, '[erased]');
  assert.equal(gone.body.date_of_death, null);
  assert.equal((await request(port, 'GET', `/api/v1/people/${recent}`)).body.given_name, 'Bea');
  assert.equal((await request(port, 'GET', `/api/v1/people/${alive}`)).body.given_name, 'Cy');
  assert.equal((await request(port, 'GET', '/api/v1/sessions/current', { headers: { Cookie: cookie } })).status, 200);
  const trail = await request(port, 'GET', `/api/v1/people/${longAgo}/audit?limit=1000`, { headers: { Authorization: 'Bearer ' + dpo } });
  assert.ok(trail.body.items.some((e) => e.action === 'erase' && e.actor_kind === 'system'), trail.text);

  // As if it were 2100: every session, stored answer and audit entry is past its period.
  const later = run(['retention', ...db, '--as-of', '2100-01-01']);
  assert.equal(later.code, 0, later.stderr);
  const m = /(\d+) sessions, (\d+) idempotency keys, (\d+) audit entries deleted; (\d+) people erased/.exec(later.stdout);
  assert.ok(Number(m[1]) >= 1 && Number(m[2]) >= 1 && Number(m[3]) >= 3 && Number(m[4]) >= 1, later.stdout);
  assert.equal((await request(port, 'GET', `/api/v1/people/${recent}`)).body.given_name, '[erased]');
  assert.equal((await request(port, 'GET', '/api/v1/sessions/current', { headers: { Cookie: cookie } })).status, 401);
  assert.equal(await stopServer(srv), 0, srv.output().err);
});

test('a bad rules file or date is one line naming the problem', () => {
  const db = freshDb();
  const bad = run(['retention', ...db, '--rules', rules('sessions 30\nforever 3\n')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /line 2: unknown kind 'forever'/);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  const missing = run(['retention', ...db, '--rules', path.join(dir, 'none.tsv')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /none\.tsv: No such file/);
  const date = run(['retention', ...db, '--as-of', 'tomorrow']);
  assert.equal(date.code, 2);
  assert.match(date.stderr, /--as-of must be a date/);
});

test('the server applies the rules on its own schedule', async () => {
  const srv = await startServer(['--access-log', 'off', '--retention-every', '1', '--retention', rules('deceased_people 365\n')]);
  setDefaultToken(makeToken(srv.db, 'agent'));
  const id = (await request(srv.port, 'POST', '/api/v1/people', { body: { given_name: 'Dee', family_name: 'Late', date_of_death: '1999-09-09' } })).body.id;
  let name = 'Dee';
  for (let i = 0; i < 60 && name !== '[erased]'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    name = (await request(srv.port, 'GET', `/api/v1/people/${id}`)).body.given_name;
  }
  assert.equal(name, '[erased]');
  assert.equal(await stopServer(srv), 0, srv.output().err);
});
