// gdpr.test.js: consent per purpose, subject access (JSON and a readable
// page), and erasure.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { finishServer, startServer, request, makeToken, makeUser, setDefaultToken } = require('./helpers');

const PW = 'a long enough password';
let srv, port, tok = {}, ids = {}, email;
const as = (role) => ({ Authorization: 'Bearer ' + tok[role] });

test.before(async () => {
  srv = await startServer(['--access-log', 'off']);
  port = srv.port;
  for (const r of ['agent', 'dpo', 'manager']) tok[r] = makeToken(srv.db, r);
  tok.care = makeToken(srv.db, 'back_office', 'social_care');
  setDefaultToken(tok.agent);
  const u = String(Date.now() % 1e9);
  const prop = await request(port, 'POST', '/api/v1/properties', { body: { uprn: u, address_line_1: '3 <b>Bold</b> Road', postcode: 'E1 6AN', property_type: 'flat', floor: 2 } });
  ids.prop = prop.body.id;
  ids.me = (await request(port, 'POST', '/api/v1/people', { headers: as('care'), body: { given_name: 'Zara<script>', family_name: "O'Neill", date_of_birth: '1990-01-01', social_care_notes: 'weekly visit', phone: '07700 900001' } })).body.id;
  ids.kid = (await request(port, 'POST', '/api/v1/people', { body: { given_name: 'Ian', family_name: "O'Neill", date_of_birth: '2016-01-01' } })).body.id;
  const hh = await request(port, 'POST', '/api/v1/households', { body: { property_id: ids.prop, members: [{ person_id: ids.me, relationship: 'head', from_date: '2019-04-01' }, { person_id: ids.kid, relationship: 'child' }] } });
  assert.equal(hh.status, 201, hh.text);
  email = `zara${u}@example.org`;
  makeUser(srv.db, email, 'resident', PW, ['--person', String(ids.me)]);
});
test.after(() => finishServer(srv));

test('consent is recorded per purpose, with its history', async () => {
  const url = `/api/v1/people/${ids.me}/consents`;
  const a = await request(port, 'POST', url, { body: { purpose: 'newsletters', given: true, channel: 'phone' } });
  assert.equal(a.status, 201, a.text);
  assert.equal((await request(port, 'POST', url, { body: { purpose: 'newsletters', given: false, channel: 'email' } })).status, 201);
  assert.equal((await request(port, 'POST', url, { body: { purpose: 'research', given: true } })).status, 201);
  const g = await request(port, 'GET', url);
  assert.equal(g.status, 200);
  assert.equal(g.body.current.newsletters.given, false);
  assert.equal(g.body.current.newsletters.channel, 'email');
  assert.equal(g.body.current.research.given, true);
  assert.equal(g.body.items.length, 3);
  for (const [body, fields] of [
    [{ purpose: 'spam', given: true }, ['purpose']],
    [{ purpose: 'research' }, ['given']],
    [{ purpose: 'research', given: 'yes' }, ['given']],
    [{ purpose: 'research', given: true, person_id: ids.kid }, ['person_id']],
  ]) {
    const r = await request(port, 'POST', url, { body });
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(r.body.errors.map((e) => e.field).sort(), fields);
  }
  assert.equal((await request(port, 'GET', url)).body.items.length, 3);
  assert.equal((await request(port, 'GET', `/api/v1/people/999999999/consents`)).status, 404);
});

test('subject access: everything held, as JSON for the DPO and for the person', async () => {
  const r = await request(port, 'GET', `/api/v1/people/${ids.me}/export`, { headers: as('dpo') });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers['content-disposition'], /attachment/);
  assert.equal(r.body.person.social_care_notes, 'weekly visit');
  assert.equal(r.body.households.length, 1);
  assert.equal(r.body.households[0].relationship, 'head');
  assert.equal(r.body.households[0].property.postcode, 'E1 6AN');
  assert.equal(r.body.accounts.length, 1);
  assert.equal(r.body.accounts[0].email, email);
  assert.equal(r.body.accounts[0].password_hash, undefined);
  assert.ok(r.body.who_looked.some((e) => e.action === 'create'));
  // The resident may have their own, but not their child's, and an agent neither.
  const s = await request(port, 'POST', '/api/v1/sessions', { body: { email, password: PW }, auth: false });
  const cookie = s.headers['set-cookie'][0].split(';')[0];
  assert.equal((await request(port, 'GET', `/api/v1/people/${ids.me}/export`, { headers: { Cookie: cookie } })).status, 200);
  assert.equal((await request(port, 'GET', `/api/v1/people/${ids.kid}/export`, { headers: { Cookie: cookie } })).status, 403);
  assert.equal((await request(port, 'GET', `/api/v1/people/${ids.me}/export`)).status, 403);
});

test('subject access as a readable page, escaped', async () => {
  const r = await request(port, 'GET', `/staff/people/${ids.me}/export`, { headers: as('dpo') });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers['content-type'], /^text\/html/);
  assert.match(r.text, /<h1 class="govuk-heading-l">Everything the council holds about Zara&lt;script&gt; O&#39;Neill<\/h1>/);
  assert.match(r.text, /3 &lt;b&gt;Bold&lt;\/b&gt; Road/);
  assert.doesNotMatch(r.text, /<script>/);
  assert.match(r.text, /Who looked at your record, and why/);
  assert.match(r.text, /<html lang="en"/);
});

test('erasure: the DPO erases, the record keeps only its id, the account is closed', async () => {
  const s = await request(port, 'POST', '/api/v1/sessions', { body: { email, password: PW }, auth: false });
  const cookie = s.headers['set-cookie'][0].split(';')[0];
  const url = `/api/v1/people/${ids.me}/erase`;
  assert.equal((await request(port, 'POST', url, { body: { reason: 'asked' } })).status, 403); // an agent may not
  const bad = await request(port, 'POST', url, { headers: as('dpo'), body: {} });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.body.errors.map((e) => e.field), ['reason']);
  const ok = await request(port, 'POST', url, { headers: as('dpo'), body: { reason: 'resident asked, request 2026/117' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.given_name, '[erased]');
  assert.equal(ok.body.date_of_birth, null);
  assert.equal(ok.body.phone, null);
  assert.match(ok.body.erased_at, /^\d{4}-/);
  const care = await request(port, 'GET', `/api/v1/people/${ids.me}`, { headers: as('care') });
  assert.equal(care.body.social_care_notes, null);
  assert.equal((await request(port, 'POST', url, { headers: as('dpo'), body: { reason: 'again' } })).status, 409);
  assert.equal((await request(port, 'PATCH', `/api/v1/people/${ids.me}`, { body: { title: 'Ms' }, headers: { 'If-Match': care.headers.etag } })).status, 409);
  assert.equal((await request(port, 'PATCH', `/api/v1/people/${ids.me}`, { body: { erased_at: null }, headers: { 'If-Match': care.headers.etag } })).status, 409);
  assert.equal((await request(port, 'GET', '/api/v1/sessions/current', { headers: { Cookie: cookie } })).status, 401);
  assert.equal((await request(port, 'POST', '/api/v1/sessions', { body: { email, password: PW }, auth: false })).status, 401);
  const trail = await request(port, 'GET', `/api/v1/people/${ids.me}/audit?limit=1000`, { headers: as('dpo') });
  assert.ok(trail.body.items.some((e) => e.action === 'erase' && e.actor_role === 'dpo'));
});

test('erased_at cannot be written by anyone', async () => {
  const r = await request(port, 'POST', '/api/v1/people', { body: { given_name: 'A', family_name: 'B', erased_at: '2020-01-01T00:00:00Z' } });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['erased_at']);
});
