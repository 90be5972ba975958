// councils.test.js: many councils on one deployment. Each council is found
// by its host name; no council's staff or residents see another's records,
// and the same session works on any app server sharing the database.
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const crypto = require('node:crypto');
const { startServer, stopServer, request, run, freshDb, makeUser } = require('./helpers');

const PW = 'correct horse battery staple';
const suffix = crypto.randomBytes(4).toString('hex'); // PostgreSQL's database outlives one file
const hostA = `a-${suffix}.councils.test`, hostB = `b-${suffix}.councils.test`;
let db, one, two, councilA, councilB;

function addCouncil(name, host) {
  const r = run(['council', 'add', ...db, '--name', name, '--host', host]);
  assert.equal(r.code, 0, r.stderr);
  return Number(r.stdout.trim());
}

function token(council, role) {
  const r = run(['token', 'create', ...db, '--council', String(council), '--name', `t ${role}`, '--role', role, '--scopes', 'read write']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

const as = (tok, host, extra = {}) => ({ auth: false, headers: { Authorization: 'Bearer ' + tok, Host: host, ...extra } });

test.before(async () => {
  db = freshDb();
  councilA = addCouncil('Council A', hostA);
  councilB = addCouncil('Council B', hostB);
  // Two app servers on the same database (on PostgreSQL, as in production).
  one = await startServer([], db);
  two = await startServer([], db);
});

test.after(async () => { await stopServer(one); await stopServer(two); });

test('council add and list: names, hosts, and clear errors', () => {
  assert.ok(councilB > councilA && councilA > 1);
  const list = run(['council', 'list', ...db]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`^${councilA}\\tCouncil A\\t${hostA.replace(/\./g, '\\.')}$`, 'm'));
  const dup = run(['council', 'add', ...db, '--name', 'Again', '--host', hostA.toUpperCase()]);
  assert.equal(dup.code, 2);
  assert.match(dup.stderr, /already has the host/);
  const badHost = run(['council', 'add', ...db, '--name', 'Bad', '--host', 'no spaces/allowed']);
  assert.equal(badHost.code, 2);
  assert.match(badHost.stderr, /--host/);
  const noName = run(['council', 'add', ...db]);
  assert.equal(noName.code, 2);
  assert.match(noName.stderr, /--name is required/);
  const noCouncil = run(['token', 'create', ...db, '--council', '999999', '--name', 'x', '--role', 'agent']);
  assert.equal(noCouncil.code, 2);
  assert.match(noCouncil.stderr, /no council 999999/);
});

test("one council's staff never see another's records, by id, list or search", async () => {
  const ta = token(councilA, 'agent'), tb = token(councilB, 'agent');
  const name = 'Zebedee' + suffix;
  const made = await request(one.port, 'POST', '/api/v1/people', { ...as(ta, hostA), body: { given_name: name, family_name: 'Aardvark' } });
  assert.equal(made.status, 201, made.text);
  const id = made.body.id;
  // Council A's agent sees it, through either app server.
  for (const srv of [one, two]) {
    const r = await request(srv.port, 'GET', `/api/v1/people/${id}`, as(ta, hostA));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.given_name, name);
  }
  // Council B's agent, at B's host, gets nothing: not by id, not by search, not in a list.
  const byId = await request(two.port, 'GET', `/api/v1/people/${id}`, as(tb, hostB));
  assert.equal(byId.status, 404);
  const search = await request(two.port, 'GET', `/api/v1/people?q=${name}`, as(tb, hostB));
  assert.equal(search.status, 200, search.text);
  assert.equal(search.body.items.length, 0);
  const list = await request(one.port, 'GET', '/api/v1/people?limit=1000', as(tb, hostB));
  assert.equal(list.status, 200);
  assert.ok(!list.body.items.some((p) => p.id === id));
  const patch = await request(one.port, 'PATCH', `/api/v1/people/${id}`,
    { ...as(tb, hostB, { 'If-Match': made.headers.etag }), body: { family_name: 'Taken' } });
  assert.equal(patch.status, 404);
  // A token of council A at council B's host is refused outright.
  const wrongHost = await request(one.port, 'GET', `/api/v1/people/${id}`, as(ta, hostB));
  assert.equal(wrongHost.status, 401);
  // ... and so is council B's token at council A's host.
  const wrongHost2 = await request(one.port, 'GET', `/api/v1/people/${id}`, as(tb, hostA));
  assert.equal(wrongHost2.status, 401);
  // The record is unchanged.
  const after = await request(two.port, 'GET', `/api/v1/people/${id}`, as(ta, hostA));
  assert.equal(after.body.family_name, 'Aardvark');
});

test('sign-in goes to the council of the host; the session works on every app server', async () => {
  const email = `officer-${suffix}@example.org`;
  // The same email in two councils: two different accounts, two passwords.
  for (const [council, pw] of [[councilA, PW], [councilB, PW + ' b']]) {
    const r = run(['user', 'add', ...db, '--council', String(council), '--email', email, '--role', 'agent'], { input: pw + '\n' });
    assert.equal(r.code, 0, r.stderr);
  }
  const signIn = (srv, host, password) => request(srv.port, 'POST', '/api/v1/sessions',
    { auth: false, headers: { Host: host }, body: { email, password } });
  const a = await signIn(one, hostA, PW);
  assert.equal(a.status, 201, a.text);
  const b = await signIn(two, hostB, PW + ' b');
  assert.equal(b.status, 201, b.text);
  // A's password does not open B's account (nor the other way round).
  assert.equal((await signIn(one, hostB, PW)).status, 401);
  const cookieA = a.headers['set-cookie'][0].split(';')[0];
  // A session made on server one works on server two, at its own host only.
  const who = await request(two.port, 'GET', '/api/v1/sessions/current', { auth: false, headers: { Cookie: cookieA, Host: hostA } });
  assert.equal(who.status, 200, who.text);
  const elsewhere = await request(two.port, 'GET', '/api/v1/sessions/current', { auth: false, headers: { Cookie: cookieA, Host: hostB } });
  assert.equal(elsewhere.status, 401);
  // Signed out on server two: gone on server one too.
  const out = await request(two.port, 'DELETE', '/api/v1/sessions/current',
    { auth: false, headers: { Cookie: cookieA, Host: hostA, 'X-CSRF-Token': a.body.csrf_token } });
  assert.equal(out.status, 204, out.text);
  const gone = await request(one.port, 'GET', '/api/v1/sessions/current', { auth: false, headers: { Cookie: cookieA, Host: hostA } });
  assert.equal(gone.status, 401);
});

test('a council added while serving is found by its host within seconds', async () => {
  const hostC = `c-${suffix}.councils.test`;
  const c = addCouncil('Council C', hostC);
  const tc = token(c, 'agent');
  let status = 0;
  for (let i = 0; i < 60 && status !== 200; i++) {
    status = (await request(one.port, 'GET', '/api/v1/people?limit=1', as(tc, hostC))).status;
    if (status !== 200) await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(status, 200);
  // Until then and after, a host that names no council serves the default one.
  const plain = await request(one.port, 'GET', '/api/v1/people?limit=1', { auth: false, headers: { Authorization: 'Bearer ' + tc, Host: '127.0.0.1' } });
  assert.equal(plain.status, 200);
});

test('demo --council fills another council, and refuses one that does not exist', () => {
  const d = freshDb();
  if (d[0] !== '--db') return; // the shared PostgreSQL database may already hold people
  const c = run(['council', 'add', ...d, '--name', 'Second', '--host', 'second.test']);
  assert.equal(c.code, 0, c.stderr);
  const id = c.stdout.trim();
  const r = run(['demo', ...d, '--council', id, '--people', '200']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /200 people/);
  const none = run(['demo', ...d, '--council', '77', '--people', '10']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no council 77/);
  const again = run(['demo', ...d, '--council', id, '--people', '10']);
  assert.equal(again.code, 2);
});
