// api.test.js: the JSON API of people, properties and households, black-box.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { finishServer, serve, request, listAll } = require('./helpers');

let srv, port;
test.before(async () => ({ srv, port } = await serve(['--access-log', 'off'])));
test.after(() => finishServer(srv));

const uniq = () => String(Date.now() % 1e9) + String(Math.floor(Math.random() * 1000)).padStart(3, '0');
const person = (extra = {}) => ({ given_name: 'Ada', family_name: 'Okafor', date_of_birth: '1984-02-29', ...extra });
const property = (extra = {}) => ({
  uprn: uniq(), address_line_1: 'Flat 12', address_line_2: 'Bramley House', town: 'London',
  postcode: 'se5 7ab', property_type: 'flat', floor: 3, has_garden: false, tenure: 'council_rent',
  council_tax_band: 'B', ...extra,
});
const fields = (r) => r.body.errors.map((e) => e.field).sort();

function assertProblem(r, status, names) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers['content-type'], /^application\/problem\+json/);
  assert.equal(r.body.status, status);
  assert.ok(r.body.title);
  if (names) assert.deepEqual(fields(r), [...names].sort());
}

test('create and read a person', async () => {
  const r = await request(port, 'POST', '/api/v1/people', { body: person({ email: 'ada@example.org', needs_digital_help: true }) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.location, `/api/v1/people/${r.body.id}`);
  assert.equal(r.headers.etag, '"v1"');
  const g = await request(port, 'GET', r.headers.location);
  assert.equal(g.status, 200);
  assert.equal(g.body.given_name, 'Ada');
  assert.equal(g.body.date_of_birth, '1984-02-29');
  assert.equal(g.body.needs_digital_help, true);
  assert.equal(g.body.phone, null);
  assert.equal(g.body.household, null);
  assert.equal(g.body.property, null);
  assert.match(g.body.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('bad person input is 422 naming each field and saves nothing', async () => {
  const before = (await listAll(port, 'people')).length;
  const cases = [
    [{}, ['given_name', 'family_name']],
    [person({ given_name: '' }), ['given_name']],
    [person({ given_name: 'x'.repeat(101) }), ['given_name']],
    [person({ given_name: 7 }), ['given_name']],
    [person({ date_of_birth: '1984-02-30' }), ['date_of_birth']],
    [person({ date_of_birth: '2999-01-01' }), ['date_of_birth']],
    [person({ date_of_death: '1970-01-01' }), ['date_of_death']],
    [person({ email: 'not-an-email' }), ['email']],
    [person({ phone: '12ab' }), ['phone']],
    [person({ preferred_channel: 'pigeon' }), ['preferred_channel']],
    [person({ needs_digital_help: 'yes' }), ['needs_digital_help']],
    [person({ shoe_size: 9 }), ['shoe_size']],
    [person({ id: 5 }), ['id']],
    [person({ family_name: null }), ['family_name']],
    [person({ given_name: 'a\u0001b' }), ['given_name']],
  ];
  for (const [body, names] of cases) {
    const r = await request(port, 'POST', '/api/v1/people', { body });
    assertProblem(r, 422, names);
    for (const e of r.body.errors) assert.ok(e.message.length > 3, JSON.stringify(e));
  }
  assert.equal((await listAll(port, 'people')).length, before);
});

test('malformed bodies are 400 or 415 and save nothing', async () => {
  const before = (await listAll(port, 'people')).length;
  assertProblem(await request(port, 'POST', '/api/v1/people', { raw: '{"given_name": ' }), 400);
  assertProblem(await request(port, 'POST', '/api/v1/people', { raw: '[1,2]' }), 400);
  assertProblem(await request(port, 'POST', '/api/v1/people', { raw: '' }), 400);
  assertProblem(await request(port, 'POST', '/api/v1/people', { raw: '{"given_name":"A","given_name":"B","family_name":"C"}' }), 400);
  assertProblem(await request(port, 'POST', '/api/v1/people', { raw: JSON.stringify(person()), headers: { 'Content-Type': 'text/plain' } }), 415);
  assert.equal((await listAll(port, 'people')).length, before);
});

test('unknown ids are 404', async () => {
  assertProblem(await request(port, 'GET', '/api/v1/people/999999999'), 404);
  assertProblem(await request(port, 'GET', '/api/v1/people/abc'), 404);
  assertProblem(await request(port, 'GET', '/api/v1/people/0'), 404);
  assertProblem(await request(port, 'GET', '/api/v1/properties/999999999'), 404);
  assertProblem(await request(port, 'GET', '/api/v1/households/999999999'), 404);
  assertProblem(await request(port, 'PATCH', '/api/v1/people/999999999', { body: {}, headers: { 'If-Match': '"v1"' } }), 404);
});

test('PATCH needs If-Match: 428 without, 412 when stale, 200 when current', async () => {
  const c = await request(port, 'POST', '/api/v1/people', { body: person() });
  const url = c.headers.location;
  assertProblem(await request(port, 'PATCH', url, { body: { phone: '07700 900123' } }), 428);
  assertProblem(await request(port, 'PATCH', url, { body: { phone: '07700 900123' }, headers: { 'If-Match': '"v7"' } }), 412);
  const ok = await request(port, 'PATCH', url, { body: { phone: '07700 900123' }, headers: { 'If-Match': c.headers.etag } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.headers.etag, '"v2"');
  assert.equal(ok.body.phone, '07700 900123');
  assert.equal(ok.body.given_name, 'Ada');
  // The old ETag no longer matches: a second agent cannot overwrite silently.
  assertProblem(await request(port, 'PATCH', url, { body: { phone: '07700 900999' }, headers: { 'If-Match': c.headers.etag } }), 412);
  const bad = await request(port, 'PATCH', url, { body: { date_of_death: '1900-01-01', title: 'x'.repeat(21) }, headers: { 'If-Match': '"v2"' } });
  assertProblem(bad, 422, ['date_of_death', 'title']);
  assertProblem(await request(port, 'PATCH', url, { body: { given_name: null }, headers: { 'If-Match': '"v2"' } }), 422, ['given_name']);
  const g = await request(port, 'GET', url);
  assert.equal(g.body.phone, '07700 900123');
  assert.equal(g.body.date_of_death, null);
  assert.equal(g.headers.etag, '"v2"');
});

test('Idempotency-Key: the same key twice creates one record', async () => {
  const key = 'k-' + uniq();
  const before = (await listAll(port, 'people')).length;
  const a = await request(port, 'POST', '/api/v1/people', { body: person({ family_name: 'Twice' }), headers: { 'Idempotency-Key': key } });
  const b = await request(port, 'POST', '/api/v1/people', { body: person({ family_name: 'Twice' }), headers: { 'Idempotency-Key': key } });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.equal(b.body.id, a.body.id);
  assert.equal(b.headers['idempotent-replayed'], 'true');
  assert.equal(b.headers.location, a.headers.location);
  assert.equal((await listAll(port, 'people')).length, before + 1);
  const c = await request(port, 'POST', '/api/v1/people', { body: person({ family_name: 'Other' }), headers: { 'Idempotency-Key': key } });
  assertProblem(c, 422, ['Idempotency-Key']);
  assertProblem(await request(port, 'POST', '/api/v1/people', { body: person(), headers: { 'Idempotency-Key': 'x'.repeat(256) } }), 400, ['Idempotency-Key']);
  // A rejected request does not use up its key.
  const k2 = 'k-' + uniq();
  assertProblem(await request(port, 'POST', '/api/v1/people', { body: {}, headers: { 'Idempotency-Key': k2 } }), 422);
  assert.equal((await request(port, 'POST', '/api/v1/people', { body: person(), headers: { 'Idempotency-Key': k2 } })).status, 201);
});

test('Idempotency-Key holds under concurrent retries', async () => {
  const key = 'race-' + uniq();
  const rs = await Promise.all([1, 2, 3, 4].map(() =>
    request(port, 'POST', '/api/v1/people', { body: person({ family_name: 'Race' }), headers: { 'Idempotency-Key': key } })));
  for (const r of rs) assert.equal(r.status, 201, r.text);
  assert.equal(new Set(rs.map((r) => r.body.id)).size, 1);
});

test('properties: postcode normalised, duplicate UPRN 409, UPRN immutable', async () => {
  const body = property();
  const r = await request(port, 'POST', '/api/v1/properties', { body });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.postcode, 'SE5 7AB');
  assert.equal(r.body.floor, 3);
  assert.equal(r.body.has_garden, false);
  assertProblem(await request(port, 'POST', '/api/v1/properties', { body: { ...body, address_line_1: 'Flat 13' } }), 409, ['uprn']);
  assertProblem(await request(port, 'PATCH', r.headers.location, { body: { uprn: '1' }, headers: { 'If-Match': '"v1"' } }), 422, ['uprn']);
  const ok = await request(port, 'PATCH', r.headers.location, { body: { council_tax_band: 'C', uprn: body.uprn }, headers: { 'If-Match': '"v1"' } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.council_tax_band, 'C');
});

test('bad property input is 422 naming each field', async () => {
  const cases = [
    [property({ uprn: '12x' }), ['uprn']],
    [property({ uprn: '1234567890123' }), ['uprn']],
    [property({ postcode: 'NOT A CODE' }), ['postcode']],
    [property({ property_type: 'castle' }), ['property_type']],
    [property({ floor: 101 }), ['floor']],
    [property({ floor: 1.5 }), ['floor']],
    [property({ property_type: 'house', floor: 4 }), ['floor']],
    [property({ tenure: 'squat', council_tax_band: 'Z' }), ['council_tax_band', 'tenure']],
    [{ uprn: uniq() }, ['address_line_1', 'postcode', 'property_type']],
  ];
  for (const [body, names] of cases) assertProblem(await request(port, 'POST', '/api/v1/properties', { body }), 422, names);
});

test('households: members, a person with their household and property', async () => {
  const prop = (await request(port, 'POST', '/api/v1/properties', { body: property() })).body;
  const mum = (await request(port, 'POST', '/api/v1/people', { body: person({ given_name: 'Grace' }) })).body;
  const kid = (await request(port, 'POST', '/api/v1/people', { body: person({ given_name: 'Tobi', date_of_birth: '2019-05-01' }) })).body;
  const h = await request(port, 'POST', '/api/v1/households', { body: {
    property_id: prop.id, name: 'The Okafor family',
    members: [{ person_id: mum.id, relationship: 'head', from_date: '2020-01-01' }, { person_id: kid.id, relationship: 'child', from_date: '2020-01-01' }],
  } });
  assert.equal(h.status, 201, h.text);
  assert.equal(h.body.members.length, 2);
  const g = await request(port, 'GET', `/api/v1/people/${kid.id}`);
  assert.equal(g.status, 200);
  assert.equal(g.body.household.id, h.body.id);
  assert.equal(g.body.household.relationship, 'child');
  assert.deepEqual(g.body.household.members.map((m) => m.given_name).sort(), ['Grace', 'Tobi']);
  assert.equal(g.body.property.id, prop.id);
  assert.equal(g.body.property.postcode, 'SE5 7AB');
  // Someone who lives here already cannot be put in a second household.
  const other = (await request(port, 'POST', '/api/v1/properties', { body: property() })).body;
  assertProblem(await request(port, 'POST', '/api/v1/households', { body: { property_id: other.id, members: [{ person_id: kid.id, relationship: 'child' }] } }), 422, ['members[0].person_id']);
  // Moving out: PATCH the members list with a to_date.
  const moved = await request(port, 'PATCH', `/api/v1/households/${h.body.id}`, { headers: { 'If-Match': h.headers.etag }, body: {
    members: [{ person_id: mum.id, relationship: 'head', from_date: '2020-01-01' }, { person_id: kid.id, relationship: 'child', from_date: '2020-01-01', to_date: '2021-01-01' }],
  } });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.body.members.filter((m) => m.current).length, 1);
  assert.equal((await request(port, 'GET', `/api/v1/people/${kid.id}`)).body.household, null);
  assert.equal((await request(port, 'GET', `/api/v1/people/${mum.id}`)).body.household.id, h.body.id);
});

test('bad household input is 422 naming each field and saves nothing', async () => {
  const before = (await listAll(port, 'households')).length;
  const prop = (await request(port, 'POST', '/api/v1/properties', { body: property() })).body;
  const p = (await request(port, 'POST', '/api/v1/people', { body: person() })).body;
  const cases = [
    [{}, ['property_id']],
    [{ property_id: 999999999 }, ['property_id']],
    [{ property_id: 'x' }, ['property_id']],
    [{ property_id: prop.id, members: 'all' }, ['members']],
    [{ property_id: prop.id, members: [{ person_id: 999999999, relationship: 'head' }] }, ['members[0].person_id']],
    [{ property_id: prop.id, members: [{ person_id: p.id, relationship: 'boss' }] }, ['members[0].relationship']],
    [{ property_id: prop.id, members: [{ person_id: p.id, relationship: 'head', from_date: '2020-01-02', to_date: '2020-01-01' }] }, ['members[0].to_date']],
    [{ property_id: prop.id, members: [{ person_id: p.id, relationship: 'head' }, { person_id: p.id, relationship: 'child' }] }, ['members[1].person_id']],
    [{ property_id: prop.id, members: [{ person_id: p.id, relationship: 'head', household_id: 3 }] }, ['members[0].household_id']],
    [{ property_id: prop.id, members: [7] }, ['members[0]']],
  ];
  for (const [body, names] of cases) assertProblem(await request(port, 'POST', '/api/v1/households', { body }), 422, names);
  assert.equal((await listAll(port, 'households')).length, before);
  assert.equal((await request(port, 'GET', `/api/v1/people/${p.id}`)).body.household, null);
});

test('lists are paged with limit and cursor; bad parameters are 400', async () => {
  for (let i = 0; i < 3; i++) await request(port, 'POST', '/api/v1/people', { body: person({ given_name: 'Page' + i }) });
  const a = await request(port, 'GET', '/api/v1/people?limit=2');
  assert.equal(a.status, 200);
  assert.equal(a.body.items.length, 2);
  assert.ok(a.body.next_cursor);
  const b = await request(port, 'GET', `/api/v1/people?limit=2&cursor=${a.body.next_cursor}`);
  assert.ok(b.body.items[0].id > a.body.items[1].id);
  assertProblem(await request(port, 'GET', '/api/v1/people?limit=0'), 400, ['limit']);
  assertProblem(await request(port, 'GET', '/api/v1/people?limit=1001'), 400, ['limit']);
  assertProblem(await request(port, 'GET', '/api/v1/people?limit=ten'), 400, ['limit']);
  assertProblem(await request(port, 'GET', '/api/v1/people?cursor=-4'), 400, ['cursor']);
  assertProblem(await request(port, 'GET', '/api/v1/people?colour=red'), 400, ['colour']);
});
