// contacts.test.js: every contact logged, with its cost by channel.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { finishServer, serve, request } = require('./helpers');

let srv, port;
test.before(async () => ({ srv, port } = await serve(['--access-log', 'off'])));
test.after(() => finishServer(srv));

test('contacts are logged with their cost, and listed for the person', async () => {
  const pid = (await request(port, 'POST', '/api/v1/people', { body: { given_name: 'Kai', family_name: 'Moss' } })).body.id;
  const phone = await request(port, 'POST', '/api/v1/contacts', { body: { channel: 'phone', type: 'information', service: 'missed-bin', reason: 'when is my bin day', person_id: pid, resolved_first_contact: true } });
  assert.equal(phone.status, 201, phone.text);
  assert.equal(phone.body.cost_pence, 257);
  assert.equal(phone.body.direction, 'inbound');
  assert.ok(phone.body.agent_id > 0);
  assert.match(phone.body.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal((await request(port, 'POST', '/api/v1/contacts', { body: { channel: 'web', type: 'transaction', person_id: pid } })).body.cost_pence, 8);
  assert.equal((await request(port, 'POST', '/api/v1/contacts', { body: { channel: 'face_to_face', type: 'interaction' } })).body.cost_pence, 1182);
  assert.equal((await request(port, 'POST', '/api/v1/contacts', { body: { channel: 'web_chat', type: 'interaction', avoidable: 'chasing_progress' } })).body.cost_pence, null);
  const list = await request(port, 'GET', `/api/v1/people/${pid}/contacts`);
  assert.equal(list.status, 200);
  assert.equal(list.body.items.length, 2);
  // Enrolling in several services in one call logs one contact.
  const hb = await request(port, 'POST', `/api/v1/people/${pid}/enrolments`, { body: { enrolments: [{ service: 'blue-badge', channel: 'phone' }, { service: 'library-membership' }] } });
  assert.equal(hb.status, 201, hb.text);
  const after = (await request(port, 'GET', `/api/v1/people/${pid}/contacts`)).body.items;
  assert.equal(after.length, 3);
  assert.equal(after[2].reason, 'enrolled in 2 services');
  assert.equal(after[2].type, 'transaction');
  assert.equal(after[2].resolved_first_contact, true);
});

test('bad contacts are 422 naming the field and save nothing', async () => {
  for (const [body, field] of [
    [{ type: 'information' }, 'channel'],
    [{ channel: 'pigeon', type: 'information' }, 'channel'],
    [{ channel: 'phone' }, 'type'],
    [{ channel: 'phone', type: 'information', service: 'nope' }, 'service'],
    [{ channel: 'phone', type: 'information', person_id: 999999999 }, 'person_id'],
    [{ channel: 'phone', type: 'information', started_at: '2026-01-01 10:00' }, 'started_at'],
    [{ channel: 'phone', type: 'information', started_at: '2026-01-01T10:00:00Z', ended_at: '2026-01-01T09:00:00Z' }, 'ended_at'],
    [{ channel: 'phone', type: 'information', cost_pence: 0 }, 'cost_pence'],
    [{ channel: 'phone', type: 'information', agent_id: 1 }, 'agent_id'],
    [{ channel: 'phone', type: 'information', avoidable: 'maybe' }, 'avoidable'],
  ]) {
    const r = await request(port, 'POST', '/api/v1/contacts', { body });
    assert.equal(r.status, 422, JSON.stringify(body) + r.text);
    assert.ok(r.body.errors.some((e) => e.field === field), JSON.stringify(body) + r.text);
  }
});

test('a contact links to its request: the one a request logs, and one given request_id', async () => {
  const rq = await request(port, 'POST', '/api/v1/requests', { body: { service: 'missed-bin', description: 'bin missed again', address: '3 Low Road', channel: 'phone' } });
  assert.equal(rq.status, 201, rq.text);
  const chase = await request(port, 'POST', '/api/v1/contacts', { body: { channel: 'phone', type: 'interaction', service: 'missed-bin', request_id: rq.body.id, avoidable: 'chasing_progress' } });
  assert.equal(chase.status, 201, chase.text);
  assert.equal(chase.body.request_id, rq.body.id);
  const bad = await request(port, 'POST', '/api/v1/contacts', { body: { channel: 'phone', type: 'interaction', request_id: 999999999 } });
  assert.equal(bad.status, 422);
  assert.ok(bad.body.errors.some((e) => e.field === 'request_id'));
  // The request's own contact carries its id too (seen through the person's contacts).
  const pid = (await request(port, 'POST', '/api/v1/people', { body: { given_name: 'Ira', family_name: 'Lund' } })).body.id;
  const mine = await request(port, 'POST', '/api/v1/requests', { body: { service: 'missed-bin', description: 'again', person_id: pid } });
  const items = (await request(port, 'GET', `/api/v1/people/${pid}/contacts`)).body.items;
  assert.equal(items.length, 1);
  assert.equal(items[0].request_id, mine.body.id);
});
