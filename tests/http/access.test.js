// access.test.js: who may see what. Sign-in, sessions, CSRF, roles walked
// from the route table itself, residents limited to their own household,
// sensitive fields by role, slowed password guessing, and the audit trail.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { finishServer, startServer, request, makeToken, makeUser, setDefaultToken } = require('./helpers');

const PW = 'correct horse battery';
const ROLES = ['agent', 'back_office', 'team_leader', 'manager', 'admin', 'dpo', 'resident'];
let srv, port, tok = {}, ids = {}, resident = {}, uniq = String(Date.now() % 1e9);

const bearer = (role) => ({ Authorization: 'Bearer ' + tok[role] });

async function signIn(email, password = PW) {
  const r = await request(port, 'POST', '/api/v1/sessions', { body: { email, password }, auth: false });
  if (r.status !== 201) return { r };
  const cookie = r.headers['set-cookie'][0].split(';')[0];
  return { r, cookie, csrf: r.body.csrf_token };
}

// Polls the data-protection officer's view of a person until pred holds.
async function auditOf(personId, pred) {
  let items = [];
  for (let i = 0; i < 50; i++) {
    const r = await request(port, 'GET', `/api/v1/people/${personId}/audit?limit=1000`, { headers: bearer('dpo') });
    assert.equal(r.status, 200, r.text);
    items = r.body.items;
    if (pred(items)) return items;
    await new Promise((res) => setTimeout(res, 50));
  }
  return items;
}

test.before(async () => {
  srv = await startServer(['--access-log', 'off']);
  port = srv.port;
  for (const r of ROLES) if (r !== 'resident') tok[r] = makeToken(srv.db, r, r === 'back_office' ? 'parking' : undefined);
  tok.social_care = makeToken(srv.db, 'back_office', 'social_care');
  setDefaultToken(tok.agent);
  // Two households: the resident lives in A with their child; B is someone else's.
  const mk = async (path, body, headers = {}) => { const r = await request(port, 'POST', path, { body, headers }); assert.equal(r.status, 201, r.text); return r.body; };
  const prop = (n) => ({ uprn: uniq + n, address_line_1: `${n} Acre Lane`, postcode: 'SW2 5SU', property_type: 'house', floor: 0 });
  ids.propA = (await mk('/api/v1/properties', prop(1))).id;
  ids.propB = (await mk('/api/v1/properties', prop(2))).id;
  ids.me = (await mk('/api/v1/people', { given_name: 'Rita', family_name: 'Mensah', accessibility_needs: 'wheelchair user', social_care_notes: 'carer visits daily' }, { Authorization: 'Bearer ' + tok.social_care })).id;
  ids.child = (await mk('/api/v1/people', { given_name: 'Kofi', family_name: 'Mensah', date_of_birth: '2015-03-03' })).id;
  ids.other = (await mk('/api/v1/people', { given_name: 'Oona', family_name: 'Brady' })).id;
  ids.hhA = (await mk('/api/v1/households', { property_id: ids.propA, members: [{ person_id: ids.me, relationship: 'head' }, { person_id: ids.child, relationship: 'child' }] })).id;
  ids.hhB = (await mk('/api/v1/households', { property_id: ids.propB, members: [{ person_id: ids.other, relationship: 'head' }] })).id;
  resident.email = `rita${uniq}@example.org`;
  makeUser(srv.db, resident.email, 'resident', PW, ['--person', String(ids.me)]);
  makeUser(srv.db, `guess${uniq}@example.org`, 'agent', PW);
});
test.after(() => finishServer(srv));

// The path of a route with {id} filled by a record a resident does not own.
function concrete(path) {
  if (path.startsWith('/api/v1/people/') || path.startsWith('/staff/people/')) return path.replace('{id}', ids.other);
  if (path.startsWith('/api/v1/households/')) return path.replace('{id}', ids.hhB);
  if (path.startsWith('/api/v1/properties/')) return path.replace('{id}', ids.propB);
  if (path.startsWith('/api/v1/enrolments/') || path.startsWith('/api/v1/appointments/') || path.startsWith('/api/v1/reports/') || path.startsWith('/api/v1/requests/')) return path.replace('{id}', '4');
  if (path.startsWith('/api/v1/life-events/') || path.startsWith('/api/v1/tasks/') || path.startsWith('/staff/tasks/') || path.startsWith('/account/appointments/') || path.startsWith('/staff/review/')) return path.replace('{id}', '4');
  if (path.startsWith('/api/v1/chats/') || path.startsWith('/staff/chats/')) return path.replace('{id}', '4');
  if (path.startsWith('/account/apply/')) return path.replace('{slug}', 'elective-home-education');
  if (path.startsWith('/api/v1/matches/') || path.startsWith('/api/v1/merges/')) return path.replace('{id}', '1');
  if (path.startsWith('/api/v1/sources/')) return path.replace('{slug}', 'council_tax');
  assert.ok(!path.includes('{'), 'the walk does not know how to fill ' + path);
  return path;
}

test('every route in the table refuses no session, the wrong role and the wrong resident', async () => {
  const doc = (await request(port, 'GET', '/api/v1/openapi.json')).body;
  const res = await signIn(resident.email);
  assert.equal(res.r.status, 201, res.r.text);
  let checked = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (op['x-public']) continue;
      const url = concrete(path);
      const M = method.toUpperCase();
      const body = M === 'GET' || M === 'DELETE' ? undefined : {};
      const none = await request(port, M, url, { body, auth: false });
      assert.equal(none.status, 401, `${M} ${path} without sign-in: ${none.text}`);
      assert.match(none.headers['content-type'], /application\/problem\+json/);
      const forged = await request(port, M, url, { body, headers: { Authorization: 'Bearer 1.' + 'a'.repeat(64) } });
      assert.equal(forged.status, 401, `${M} ${path} with a forged token`);
      for (const role of ROLES) {
        if (op['x-roles'].includes(role)) continue;
        const r = role === 'resident'
          ? await request(port, M, url, { body, headers: { Cookie: res.cookie, 'X-CSRF-Token': res.csrf } })
          : await request(port, M, url, { body, headers: bearer(role) });
        assert.equal(r.status, 403, `${M} ${path} as ${role}: ${r.text}`);
      }
      if (op['x-roles'].includes('resident') && op['x-own'] !== 'none') {
        const r = await request(port, M, url, { body, headers: { Cookie: res.cookie, 'X-CSRF-Token': res.csrf } });
        assert.equal(r.status, 403, `${M} ${path} as another household's resident: ${r.text}`);
      }
      checked++;
    }
  }
  assert.ok(checked >= 15, `walked ${checked} routes`);
});

test('an API token does only what its scopes allow', async () => {
  const ro = makeToken(srv.db, 'agent', undefined, 'read');
  const g = await request(port, 'GET', `/api/v1/people/${ids.other}`, { headers: { Authorization: 'Bearer ' + ro } });
  assert.equal(g.status, 200);
  const w = await request(port, 'PATCH', `/api/v1/people/${ids.other}`, { body: { title: 'Dr' }, headers: { Authorization: 'Bearer ' + ro, 'If-Match': g.headers.etag } });
  assert.equal(w.status, 403);
  assert.match(w.body.detail, /'write' scope/);
  const p = await request(port, 'POST', '/api/v1/people', { body: { given_name: 'No', family_name: 'Scope' }, headers: { Authorization: 'Bearer ' + ro } });
  assert.equal(p.status, 403);
});

test('a resident sees their own household, with CSRF on every change', async () => {
  const { r, cookie, csrf } = await signIn(resident.email.toUpperCase());
  assert.equal(r.status, 201, r.text);
  const sc = r.headers['set-cookie'][0];
  assert.match(sc, /HttpOnly/);
  assert.match(sc, /SameSite=Lax/);
  assert.doesNotMatch(sc, /Secure/);
  assert.equal(r.body.user.role, 'resident');
  const me = await request(port, 'GET', `/api/v1/people/${ids.me}`, { headers: { Cookie: cookie } });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.accessibility_needs, 'wheelchair user');
  assert.ok(me.body.redacted.includes('social_care_notes'));
  assert.equal((await request(port, 'GET', `/api/v1/people/${ids.child}`, { headers: { Cookie: cookie } })).status, 200);
  assert.equal((await request(port, 'GET', `/api/v1/households/${ids.hhA}`, { headers: { Cookie: cookie } })).status, 200);
  assert.equal((await request(port, 'GET', `/api/v1/people/${ids.other}`, { headers: { Cookie: cookie } })).status, 403);
  const noCsrf = await request(port, 'PATCH', `/api/v1/people/${ids.me}`, { body: { phone: '07700 900555' }, headers: { Cookie: cookie, 'If-Match': me.headers.etag } });
  assert.equal(noCsrf.status, 403, noCsrf.text);
  const ok = await request(port, 'PATCH', `/api/v1/people/${ids.me}`, { body: { phone: '07700 900555' }, headers: { Cookie: cookie, 'If-Match': me.headers.etag, 'X-CSRF-Token': csrf } });
  assert.equal(ok.status, 200, ok.text);
  // Behind TLS the cookie is Secure.
  const tls = await request(port, 'POST', '/api/v1/sessions', { body: { email: resident.email, password: PW }, auth: false, headers: { 'X-Forwarded-Proto': 'https' } });
  assert.match(tls.headers['set-cookie'][0], /; Secure/);
});

test('sign out, and sign out everywhere', async () => {
  const a = await signIn(resident.email), b = await signIn(resident.email);
  const who = await request(port, 'GET', '/api/v1/sessions/current', { headers: { Cookie: a.cookie } });
  assert.equal(who.status, 200);
  assert.equal(who.body.user.person_id, ids.me);
  assert.equal((await request(port, 'DELETE', '/api/v1/sessions/current', { headers: { Cookie: a.cookie } })).status, 403); // no CSRF
  assert.equal((await request(port, 'DELETE', '/api/v1/sessions/current', { headers: { Cookie: a.cookie, 'X-CSRF-Token': a.csrf } })).status, 204);
  assert.equal((await request(port, 'GET', '/api/v1/sessions/current', { headers: { Cookie: a.cookie } })).status, 401);
  assert.equal((await request(port, 'GET', '/api/v1/sessions/current', { headers: { Cookie: b.cookie } })).status, 200);
  const c = await signIn(resident.email);
  assert.equal((await request(port, 'DELETE', '/api/v1/sessions', { headers: { Cookie: c.cookie, 'X-CSRF-Token': c.csrf } })).status, 204);
  assert.equal((await request(port, 'GET', '/api/v1/sessions/current', { headers: { Cookie: b.cookie } })).status, 401);
  assert.equal((await request(port, 'GET', '/api/v1/sessions/current', { headers: { Cookie: c.cookie } })).status, 401);
});

test('bad sign-in input is 422 naming the field; a wrong password is 401', async () => {
  const a = await request(port, 'POST', '/api/v1/sessions', { body: { email: resident.email }, auth: false });
  assert.equal(a.status, 422);
  assert.deepEqual(a.body.errors.map((e) => e.field), ['password']);
  const b = await request(port, 'POST', '/api/v1/sessions', { body: { email: 'nobody@example.org', password: PW }, auth: false });
  assert.equal(b.status, 401);
  assert.equal(b.headers['set-cookie'], undefined);
});

test('guessing passwords is slowed, then locked out', async () => {
  const email = `guess${uniq}@example.org`;
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await signIn(email, 'wrong password ' + i)).r.status);
  assert.deepEqual(statuses, [401, 401, 401, 429]);
  // Even the right password is refused until the wait is over.
  const right = (await signIn(email)).r;
  assert.equal(right.status, 429);
  assert.ok(Number(right.headers['retry-after']) >= 1);
  await new Promise((r) => setTimeout(r, 1100 * Number(right.headers['retry-after'])));
  assert.equal((await signIn(email)).r.status, 201);
});

test('sensitive fields follow the role: a parking officer sees no social care notes', async () => {
  const parking = await request(port, 'GET', `/api/v1/people/${ids.me}`, { headers: bearer('back_office') });
  assert.equal(parking.status, 200);
  assert.equal(parking.body.social_care_notes, undefined);
  assert.equal(parking.body.accessibility_needs, undefined);
  assert.deepEqual(parking.body.redacted.sort(), ['accessibility_needs', 'safeguarding_notes', 'social_care_notes']);
  const care = await request(port, 'GET', `/api/v1/people/${ids.me}`, { headers: { Authorization: 'Bearer ' + tok.social_care } });
  assert.equal(care.body.social_care_notes, 'carer visits daily');
  assert.equal(care.body.redacted, undefined);
  const agent = await request(port, 'GET', `/api/v1/people/${ids.me}`);
  assert.equal(agent.body.accessibility_needs, 'wheelchair user');
  assert.deepEqual(agent.body.redacted.sort(), ['safeguarding_notes', 'social_care_notes']);
  const w = await request(port, 'PATCH', `/api/v1/people/${ids.me}`, { body: { social_care_notes: 'x' }, headers: { 'If-Match': agent.headers.etag } });
  assert.equal(w.status, 403);
  assert.deepEqual(w.body.errors.map((e) => e.field), ['social_care_notes']);
  // A manager sees no one's record at all.
  assert.equal((await request(port, 'GET', `/api/v1/people/${ids.me}`, { headers: bearer('manager') })).status, 403);
});

test('every read and change of a person leaves an audit entry', async () => {
  await request(port, 'GET', `/api/v1/people/${ids.other}`, { headers: { ...bearer('agent'), Purpose: 'caller asked about bins' } });
  const g = await request(port, 'GET', `/api/v1/people/${ids.other}`);
  await request(port, 'PATCH', `/api/v1/people/${ids.other}`, { body: { title: 'Ms' }, headers: { 'If-Match': g.headers.etag } });
  await request(port, 'GET', `/api/v1/people/${ids.other}`, { headers: bearer('manager') });
  const items = await auditOf(ids.other, (xs) => xs.some((e) => e.action === 'denied') && xs.some((e) => e.purpose === 'caller asked about bins'));
  const read = items.find((e) => e.purpose === 'caller asked about bins');
  assert.ok(read, JSON.stringify(items));
  assert.equal(read.action, 'read');
  assert.equal(read.actor_kind, 'token');
  assert.equal(read.actor_role, 'agent');
  assert.equal(read.entity, 'person');
  assert.equal(read.record_id, ids.other);
  assert.equal(read.route, `GET /api/v1/people/${ids.other}`);
  assert.equal(read.ip, '127.0.0.1');
  assert.match(read.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(items.some((e) => e.action === 'update' && e.status === 200));
  assert.ok(items.some((e) => e.action === 'create'));
  assert.ok(items.some((e) => e.action === 'denied' && e.actor_role === 'manager'));
  // Reading a household shows its members: each is audited.
  await request(port, 'GET', `/api/v1/households/${ids.hhA}`);
  const kid = await auditOf(ids.child, (xs) => xs.some((e) => e.entity === 'household' && e.action === 'read'));
  assert.ok(kid.some((e) => e.entity === 'household' && e.action === 'read'), JSON.stringify(kid));
  // Listing people audits each one listed.
  await request(port, 'GET', `/api/v1/people?limit=1000`);
  const listed = await auditOf(ids.me, (xs) => xs.some((e) => e.route === 'GET /api/v1/people'));
  assert.ok(listed.some((e) => e.route === 'GET /api/v1/people'));
});
