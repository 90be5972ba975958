// personview.test.js: the single view of a person (GET /api/v1/people/{id})
// is kept rendered (migration 0024, web/personview.c). These tests check
// that what is kept is never older than the data, that each caller sees only
// the sensitive fields their role may, that a view past its dates is not
// used, and that a revoked API token is refused at once although checked
// tokens are remembered (web/auth.c). Both backends.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { finishServer, startServer, request, makeToken, setDefaultToken } = require('./helpers');

let srv, port;
const tok = {};
test.before(async () => {
  srv = await startServer(['--access-log', 'off']);
  port = srv.port;
  tok.agent = makeToken(srv.db, 'agent');
  tok.social = makeToken(srv.db, 'back_office', 'social_care');
  setDefaultToken(tok.agent);
});
test.after(() => finishServer(srv));

const bearer = (t) => ({ Authorization: `Bearer ${t}` });
const uniq = () => String(Date.now() % 1e9) + String(Math.floor(Math.random() * 1000)).padStart(3, '0');

// SQL on the server's own database, from another process.
function sql(stmt) {
  const db = srv.db;
  const r = db[0] === '--pg' ? spawnSync('psql', [db[1], '-At', '-v', 'ON_ERROR_STOP=1', '-qc', stmt], { encoding: 'utf8' })
    : spawnSync('sqlite3', [db[1], stmt], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

// Waits until the background renderer has stored person id's view.
async function stored(id) {
  for (let i = 0; i < 100; i++) {
    if (sql(`SELECT count(*) FROM person_view WHERE person_id = ${id} AND body IS NOT NULL`) === '1') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the view of person ${id} was not stored within 10 s`);
}

async function post(path, body) {
  const r = await request(port, 'POST', path, { body });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

async function patch(path, body, headers = {}) {
  const g = await request(port, 'GET', path, { headers });
  const r = await request(port, 'PATCH', path, { body, headers: { 'If-Match': g.headers.etag, ...headers } });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

async function family() {
  const prop = await post('/api/v1/properties', {
    uprn: uniq(), address_line_1: 'Flat 3', postcode: 'SE5 7AB', property_type: 'flat', floor: 2,
  });
  const mum = await post('/api/v1/people', { given_name: 'Grace', family_name: 'Adeyemi' });
  const kid = await post('/api/v1/people', { given_name: 'Tobi', family_name: 'Adeyemi', date_of_birth: '2019-05-01' });
  const hh = await post('/api/v1/households', {
    property_id: prop.id,
    members: [{ person_id: mum.id, relationship: 'head', from_date: '2020-01-01' },
      { person_id: kid.id, relationship: 'child', from_date: '2020-01-01' }],
  });
  return { prop, mum, kid, hh };
}

const view = async (id, t = tok.agent) => {
  const r = await request(port, 'GET', `/api/v1/people/${id}`, { headers: bearer(t) });
  assert.equal(r.status, 200, r.text);
  return r;
};
const names = (v) => v.body.household.members.map((m) => m.given_name).sort();

test('a kept view is never older than the data it shows', async () => {
  const { prop, mum, kid, hh } = await family();
  assert.deepEqual(names(await view(mum.id)), ['Grace', 'Tobi']);
  await stored(mum.id);
  // A member's new name, the home, the household: each shows at once.
  await patch(`/api/v1/people/${kid.id}`, { given_name: 'Tobias' });
  assert.deepEqual(names(await view(mum.id)), ['Grace', 'Tobias']);
  await stored(mum.id);
  await patch(`/api/v1/properties/${prop.id}`, { floor: 5 });
  assert.equal((await view(mum.id)).body.property.floor, 5);
  await stored(mum.id);
  await patch(`/api/v1/households/${hh.id}`, { name: 'The Adeyemis' });
  assert.equal((await view(mum.id)).body.household.name, 'The Adeyemis');
  await stored(mum.id);
  // Her own record: the body and the ETag.
  const before = await view(mum.id);
  await patch(`/api/v1/people/${mum.id}`, { phone: '020 7946 0001' });
  const after = await view(mum.id);
  assert.equal(after.body.phone, '020 7946 0001');
  assert.notEqual(after.headers.etag, before.headers.etag);
  assert.equal(after.headers.etag, `"v${after.body.version}"`);
  await stored(mum.id);
  // Tobi leaves the household: gone from her view, and his has none.
  await patch(`/api/v1/households/${hh.id}`, { members: [{ person_id: mum.id, relationship: 'head', from_date: '2020-01-01' }] });
  assert.deepEqual(names(await view(mum.id)), ['Grace']);
  assert.equal((await view(kid.id)).body.household, null);
});

test('each caller sees the sensitive fields their role may, kept or not', async () => {
  const { mum } = await family();
  await patch(`/api/v1/people/${mum.id}`, { social_care_notes: 'weekly visit', accessibility_needs: 'step-free access' },
    bearer(tok.social));
  for (let round = 0; round < 2; round++) { // rendered for the request, then kept
    const a = (await view(mum.id, tok.agent)).body;
    assert.equal(a.accessibility_needs, 'step-free access');
    assert.equal('social_care_notes' in a, false);
    assert.deepEqual(a.redacted.sort(), ['safeguarding_notes', 'social_care_notes']);
    const s = (await view(mum.id, tok.social)).body;
    assert.equal(s.social_care_notes, 'weekly visit');
    assert.equal(s.safeguarding_notes, null);
    assert.equal('redacted' in s, false);
    await stored(mum.id);
  }
});

test('a kept view is used only while its dates hold', async () => {
  const { mum } = await family();
  await view(mum.id);
  await stored(mum.id);
  // Mark the kept body, so an answer from it can be told apart.
  sql(`UPDATE person_view SET body = replace(body, '"Grace"', '"Kept"') WHERE person_id = ${mum.id}`);
  assert.equal((await view(mum.id)).body.given_name, 'Kept');
  // Past its last day (a membership ended): rendered again from the data.
  sql(`UPDATE person_view SET valid_through = '2000-01-01' WHERE person_id = ${mum.id}`);
  assert.equal((await view(mum.id)).body.given_name, 'Grace');
  sql(`UPDATE person_view SET valid_through = NULL, changes_on = '2000-01-01' WHERE person_id = ${mum.id}`);
  assert.equal((await view(mum.id)).body.given_name, 'Grace');
});

test('every person a view shows is audited on every read, kept or not', async () => {
  const { mum, kid } = await family();
  const dpo = makeToken(srv.db, 'dpo');
  const reads = async (id) => (await request(port, 'GET', `/api/v1/people/${id}/audit?limit=1000`, { headers: bearer(dpo) }))
    .body.items.filter((e) => e.action === 'read' && e.route === `GET /api/v1/people/${mum.id}`).length;
  await view(mum.id);
  await stored(mum.id);
  await view(mum.id);
  for (let i = 0; i < 50; i++) { // the read audit is written a little later
    if (await reads(kid.id) >= 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await reads(kid.id), 2);
  assert.equal(await reads(mum.id), 2);
});

test('a view showing more people than one audit entry holds audits each of them once', async () => {
  // The read audit queues one entry per read for up to 16 people; a household of 20 needs two,
  // and audit_log still gets one row per person shown.
  const prop = await post('/api/v1/properties', {
    uprn: uniq(), address_line_1: '1 Large House', postcode: 'SE5 7AC', property_type: 'house', floor: 0,
  });
  const people = [];
  for (let i = 0; i < 20; i++) {
    people.push(await post('/api/v1/people', { given_name: `Member${i}`, family_name: 'Okonkwo' }));
  }
  await post('/api/v1/households', {
    property_id: prop.id,
    members: people.map((p, i) => ({ person_id: p.id, relationship: i ? 'other' : 'head', from_date: '2020-01-01' })),
  });
  const head = people[0];
  assert.equal((await view(head.id)).body.household.members.length, 20);
  const dpo = makeToken(srv.db, 'dpo');
  const reads = async (id) => (await request(port, 'GET', `/api/v1/people/${id}/audit?limit=1000`, { headers: bearer(dpo) }))
    .body.items.filter((e) => e.action === 'read' && e.route === `GET /api/v1/people/${head.id}`).length;
  for (let i = 0; i < 50; i++) { // the read audit is written a little later
    if (await reads(people[19].id) >= 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const p of people) assert.equal(await reads(p.id), 1, `person ${p.given_name}`);
});

test('a revoked API token is refused at once, though checked tokens are remembered', async () => {
  const t = makeToken(srv.db, 'agent', undefined, 'read');
  const { mum } = await family();
  for (let i = 0; i < 3; i++) await view(mum.id, t);
  const hash = require('node:crypto').createHash('sha256').update(t).digest('hex');
  sql(`UPDATE api_tokens SET revoked = true WHERE token_hash = '${hash}'`); // from another process
  const r = await request(port, 'GET', `/api/v1/people/${mum.id}`, { headers: bearer(t) });
  assert.equal(r.status, 401, r.text);
});

// SQLite: the server's reads leave its locks on the WAL index (FILE-shm) in
// place. Its reads look at the index's header through SQLite's own map of
// the file; had the server opened and closed the file itself, that close
// would have dropped every POSIX lock the process holds on it, and the next
// process to open the database would take the index for unused and
// truncate it under the server's maps (a crash with SIGBUS).
test('after reads, the WAL index is still locked as in use by the server', async (t) => {
  if (srv.db[0] === '--pg') return t.skip('SQLite only');
  const { mum } = await family();
  for (let i = 0; i < 5; i++) assert.equal((await view(mum.id)).status, 200);
  // fcntl(F_GETLK) on the "dead man switch" byte (offset 128): another
  // process asking for a write lock there must find the server's read lock.
  const py = [
    'import fcntl, os, struct, sys',
    'fd = os.open(sys.argv[1], os.O_RDWR)',
    "req = struct.pack('hhqqi', fcntl.F_WRLCK, os.SEEK_SET, 128, 1, 0)",
    "typ, _, _, _, pid = struct.unpack('hhqqi', fcntl.fcntl(fd, fcntl.F_GETLK, req))",
    'print(typ != fcntl.F_UNLCK, pid)',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', py, srv.db[1] + '-shm'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), `True ${srv.pid}`);
  assert.equal((await view(mum.id)).status, 200);
});
