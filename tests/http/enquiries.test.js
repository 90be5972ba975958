// enquiries.test.js: POST /api/v1/enquiries routes free text to a service
// and article (or a signpost) with a confidence; it changes nothing unless
// a signed-in caller asks it to raise a request and it is sure.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { finishServer, startServer, request, makeToken, makeUser, setDefaultToken } = require('./helpers');

const PW = 'correct horse battery';
let srv, port, agent, dpo, me, email = `enq${Date.now() % 1e9}@example.org`;
const ask = (body, opts = {}) => request(port, 'POST', '/api/v1/enquiries', { body, ...opts });
const count = async () => (await request(port, 'GET', '/api/v1/requests?limit=1000', { headers: { Authorization: 'Bearer ' + agent } })).body.items.length;

test.before(async () => {
  srv = await startServer(['--access-log', 'off']);
  port = srv.port;
  agent = makeToken(srv.db, 'agent');
  dpo = makeToken(srv.db, 'dpo');
  setDefaultToken(null);
  const p = await request(port, 'POST', '/api/v1/people', { body: { given_name: 'Enid', family_name: 'Quaye' }, headers: { Authorization: 'Bearer ' + agent } });
  me = p.body.id;
  makeUser(srv.db, email, 'resident', PW, ['--person', String(me)]);
});
test.after(() => finishServer(srv));

test('anyone may ask: the service, its article, a confidence and alternatives, and nothing is saved', async () => {
  const before = await count();
  const r = await ask({ text: "my bin wasn't collected on tuesday" }, { auth: false });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.service, 'missed-bin');
  assert.equal(r.body.article.slug, 'missed-bin');
  assert.equal(r.body.article.page, '/services/missed-bin');
  assert.ok(r.body.confidence > 0.8 && r.body.confidence <= 1, String(r.body.confidence));
  assert.ok(Array.isArray(r.body.alternatives));
  assert.equal(r.body.signpost, null);
  assert.equal(r.body.request, null);
  const permit = await ask({ text: 'I need a parking permit for my new car', channel: 'email' }, { auth: false });
  assert.equal(permit.body.service, 'parking-permit-resident');
  assert.equal(permit.body.channel, 'email');
  assert.equal(await count(), before);
});

test('what the council does not do is signposted', async () => {
  for (const [text, id] of [['I can smell gas in my flat', 'gas-emergency'], ['someone stole my bike', 'police-101'],
    ['water is pouring out of a burst main in the road', 'water-leak'], ['power cut on our street', 'power-cut']]) {
    const r = await ask({ text }, { auth: false });
    assert.equal(r.status, 200);
    assert.equal(r.body.service, null, text);
    assert.equal(r.body.signpost.slug, id, text);
    assert.ok(r.body.signpost.phone, text);
  }
});

test('bad enquiries are 422 naming each field', async () => {
  const r = await ask({ text: '', channel: 'pigeon', person_id: 'x', raise_request: 'yes', colour: 'red' }, { auth: false });
  assert.equal(r.status, 422);
  const fields = r.body.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['channel', 'colour', 'person_id', 'raise_request', 'text']);
  assert.equal((await ask({ text: 'x'.repeat(2001) }, { auth: false })).status, 422);
  assert.equal((await request(port, 'POST', '/api/v1/enquiries', { raw: 'not json', auth: false })).status, 400);
});

test('raising a request needs a signed-in caller who may, and a confident answer', async () => {
  const before = await count();
  const anon = await ask({ text: 'pothole outside my house', raise_request: true, address: '5 Acre Lane' }, { auth: false });
  assert.equal(anon.status, 401);
  const nope = await ask({ text: 'pothole outside my house', raise_request: true, address: '5 Acre Lane' }, { headers: { Authorization: 'Bearer ' + dpo } });
  assert.equal(nope.status, 403);
  assert.equal(await count(), before);

  const made = await ask({ text: 'big pothole in the road outside number 5', raise_request: true, address: '5 Acre Lane', channel: 'email' }, { headers: { Authorization: 'Bearer ' + agent } });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.body.service, 'pothole');
  assert.equal(made.body.request.service, 'pothole');
  assert.equal(made.body.request.channel, 'email');
  assert.match(made.body.request.promised_date, /^\d{4}-\d\d-\d\d$/);
  assert.match(made.headers.location, /^\/api\/v1\/requests\/\d+$/);
  assert.equal(await count(), before + 1);

  // Not sure, or not something to report: nothing raised, and it says why.
  const vague = await ask({ text: 'bin', raise_request: true, address: 'x' }, { headers: { Authorization: 'Bearer ' + agent } });
  assert.equal(vague.status, 200);
  assert.equal(vague.body.request, null);
  assert.ok(vague.body.request_not_raised);
  const sign = await ask({ text: 'I smell gas', raise_request: true, address: 'x' }, { headers: { Authorization: 'Bearer ' + agent } });
  assert.equal(sign.body.request, null);
  assert.match(sign.body.request_not_raised, /not about a council service/);
  const enrol = await ask({ text: 'apply for free school meals for my son', raise_request: true, address: 'x' }, { headers: { Authorization: 'Bearer ' + agent } });
  assert.equal(enrol.body.service, 'free-school-meals');
  assert.equal(enrol.body.request, null);
  assert.equal(await count(), before + 1);
});

test('a signed-in resident raises one for themselves, with the CSRF token', async () => {
  const s = await request(port, 'POST', '/api/v1/sessions', { body: { email, password: PW }, auth: false });
  assert.equal(s.status, 201, s.text);
  const cookie = s.headers['set-cookie'][0].split(';')[0];
  const body = { text: 'the street light outside my house is flickering', raise_request: true };
  const noCsrf = await ask(body, { headers: { Cookie: cookie } });
  assert.equal(noCsrf.status, 403);
  const ok = await ask(body, { headers: { Cookie: cookie, 'X-CSRF-Token': s.body.csrf_token } });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.request.person_id, me);
  assert.equal(ok.body.request.service, 'street-light');
  const mine = await request(port, 'GET', `/api/v1/people/${me}/requests`, { headers: { Authorization: 'Bearer ' + agent } });
  assert.ok(mine.body.items.some((r) => r.service === 'street-light'));
});
