// requests.test.js: requests with a promised date in working days, the
// status workflow, a timeline of public and internal notes, queues, and
// what a resident sees of their own.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { finishServer, serve, request, makeUser } = require('./helpers');

let srv, port;
test.before(async () => ({ srv, port } = await serve(['--access-log', 'off'])));
test.after(() => finishServer(srv));

// Today plus n working days, skipping weekends and the bank holidays the test knows of.
function workdays(n) {
  const hol = new Set(['2026-12-25', '2026-12-28', '2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28']);
  const d = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
  while (n > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const iso = d.toISOString().slice(0, 10);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6 && !hol.has(iso)) n--;
  }
  return d.toISOString().slice(0, 10);
}

test('a request gets its promised date, team and timeline, and walks the workflow', async () => {
  const r = await request(port, 'POST', '/api/v1/requests', { body: { service: 'missed-bin', address: '12 Acre Lane', description: 'Grey bin not emptied', answers: { bin_type: 'refuse', collection_date: '2026-11-20' } } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.status, 'received');
  assert.equal(r.body.team, 'waste');
  assert.equal(r.body.promised_date, workdays(2));
  assert.equal(r.body.overdue, false);
  assert.deepEqual(r.body.answers, { bin_type: 'refuse', collection_date: '2026-11-20' });
  assert.equal(r.body.timeline.length, 1);
  assert.match(r.body.timeline[0].text, /by \d{4}-\d\d-\d\d/);
  const url = `/api/v1/requests/${r.body.id}/updates`;
  const steps = [
    [{ kind: 'status_change', status: 'in_progress' }, 201],
    [{ kind: 'internal_note', text: 'crew 4 to revisit' }, 201],
    [{ kind: 'status_change', status: 'waiting' }, 422], // waiting needs a reason
    [{ kind: 'status_change', status: 'waiting', text: 'bin blocked by a car' }, 201],
    [{ kind: 'public_note', text: 'We will come back tomorrow.' }, 201],
    [{ kind: 'status_change', status: 'received' }, 422], // no going back to received
    [{ kind: 'status_change', status: 'resolved', text: 'emptied' }, 201],
    [{ kind: 'status_change', status: 'closed', text: 'done' }, 201],
    [{ kind: 'status_change', status: 'in_progress' }, 422], // closed is final
  ];
  for (const [body, want] of steps) {
    const u = await request(port, 'POST', url, { body });
    assert.equal(u.status, want, JSON.stringify(body) + u.text);
  }
  const g = await request(port, 'GET', `/api/v1/requests/${r.body.id}`);
  assert.equal(g.body.status, 'closed');
  assert.match(g.body.resolved_at, /^\d{4}-/);
  assert.deepEqual(g.body.timeline.map((t) => t.kind), ['status_change', 'status_change', 'internal_note', 'status_change', 'public_note', 'status_change', 'status_change']);
});

test('bad requests are 422 naming the field and save nothing', async () => {
  const before = (await request(port, 'GET', '/api/v1/requests?team=highways&limit=1000')).body.items.length;
  for (const [body, field] of [
    [{ address: 'x', description: 'y' }, 'service'],
    [{ service: 'nope', address: 'x', description: 'y' }, 'service'],
    [{ service: 'garden-waste', address: 'x', description: 'y' }, 'service'],
    [{ service: 'pothole', address: 'x' }, 'description'],
    [{ service: 'pothole', description: 'deep' }, 'address'],
    [{ service: 'pothole', description: 'deep', latitude: '91', longitude: '0' }, 'latitude'],
    [{ service: 'pothole', description: 'deep', latitude: '51.46' }, 'longitude'],
    [{ service: 'pothole', description: 'deep', uprn: 'abc' }, 'uprn'],
    [{ service: 'pothole', description: 'deep', address: 'x', answers: { colour: 'red' } }, 'answers.colour'],
    [{ service: 'pothole', description: 'deep', address: 'x', answers: { size_estimate: 5 } }, 'answers.size_estimate'],
    [{ service: 'pothole', description: 'deep', address: 'x', answers: 'big' }, 'answers'],
    [{ service: 'pothole', description: 'deep', address: 'x', status: 'closed' }, 'status'],
    [{ service: 'pothole', description: 'deep', address: 'x', promised_date: '2030-01-01' }, 'promised_date'],
    [{ service: 'pothole', description: 'deep', person_id: 999999999 }, 'person_id'],
  ]) {
    const r = await request(port, 'POST', '/api/v1/requests', { body });
    assert.equal(r.status, 422, JSON.stringify(body) + r.text);
    assert.ok(r.body.errors.some((e) => e.field === field), JSON.stringify(body) + r.text);
  }
  assert.equal((await request(port, 'GET', '/api/v1/requests?team=highways&limit=1000')).body.items.length, before);
  assert.equal((await request(port, 'GET', '/api/v1/requests?status=lost')).status, 400);
  assert.equal((await request(port, 'GET', '/api/v1/requests/999999999')).status, 404);
});

test('queues by team and status; a resident sees their own requests, public notes only', async () => {
  const pid = (await request(port, 'POST', '/api/v1/people', { body: { given_name: 'Ivy', family_name: 'Nash' } })).body.id;
  const email = `ivy${Date.now()}@example.org`;
  makeUser(srv.db, email, 'resident', 'ivy password 123', ['--person', String(pid)]);
  const s = await request(port, 'POST', '/api/v1/sessions', { body: { email, password: 'ivy password 123' }, auth: false });
  const H = { Cookie: s.headers['set-cookie'][0].split(';')[0], 'X-CSRF-Token': s.body.csrf_token };
  // The resident reports a pothole online: it is theirs, on the web channel.
  const mine = await request(port, 'POST', '/api/v1/requests', { headers: H, body: { service: 'pothole', latitude: '51.4613', longitude: '-0.1156', description: 'Deep hole by the bus stop' } });
  assert.equal(mine.status, 201, mine.text);
  assert.equal(mine.body.person_id, pid);
  assert.equal(mine.body.channel, 'web');
  await request(port, 'POST', `/api/v1/requests/${mine.body.id}/updates`, { body: { kind: 'internal_note', text: 'contractor X' } });
  await request(port, 'POST', `/api/v1/requests/${mine.body.id}/updates`, { body: { kind: 'public_note', text: 'Booked for Tuesday' } });
  const seen = await request(port, 'GET', `/api/v1/requests/${mine.body.id}`, { headers: H });
  assert.equal(seen.status, 200);
  assert.deepEqual(seen.body.timeline.map((t) => t.kind), ['status_change', 'public_note']);
  const staff = await request(port, 'GET', `/api/v1/requests/${mine.body.id}`);
  assert.equal(staff.body.timeline.length, 3);
  const other = await request(port, 'POST', '/api/v1/requests', { body: { service: 'pothole', address: 'Elm Road', description: 'another' } });
  assert.equal((await request(port, 'GET', `/api/v1/requests/${other.body.id}`, { headers: H })).status, 403);
  const q = await request(port, 'GET', '/api/v1/requests?team=highways&status=received&limit=1000');
  assert.ok(q.body.items.some((i) => i.id === other.body.id));
  assert.ok(q.body.items.every((i) => i.team === 'highways' && i.status === 'received'));
  const theirs = await request(port, 'GET', `/api/v1/people/${pid}/requests`, { headers: H });
  assert.equal(theirs.status, 200);
  assert.deepEqual(theirs.body.items.map((i) => i.id), [mine.body.id]);
  assert.equal((await request(port, 'GET', '/api/v1/requests?overdue=true')).status, 200);
  // Every request made is a contact.
  const contacts = await request(port, 'GET', `/api/v1/people/${pid}/contacts`);
  assert.ok(contacts.body.items.some((c) => c.service === 'pothole' && c.channel === 'web'));
});

test('an open request for the same service within 50 m or at the same UPRN is a possible duplicate', async () => {
  // A point of our own, far from any other test's.
  const lat = (51.2 + Math.random() * 0.2).toFixed(5), lon = (-0.3 + Math.random() * 0.2).toFixed(5);
  const first = await request(port, 'POST', '/api/v1/requests', { body: { service: 'pothole', latitude: lat, longitude: lon, description: 'Deep hole' } });
  assert.equal(first.status, 201, first.text);
  assert.deepEqual(first.body.possible_duplicates, []);
  // About 30 m north: the same hole, probably.
  const near = (Number(lat) + 0.00027).toFixed(5);
  const second = await request(port, 'POST', '/api/v1/requests', { body: { service: 'pothole', latitude: near, longitude: lon, description: 'Hole again' } });
  assert.equal(second.status, 201, second.text);
  assert.equal(second.body.possible_duplicates.length, 1, second.text);
  const d = second.body.possible_duplicates[0];
  assert.equal(d.id, first.body.id);
  assert.equal(d.status, 'received');
  assert.ok(d.distance_m >= 25 && d.distance_m <= 35, String(d.distance_m));
  // About 110 m away, another service, or closed: not duplicates.
  const far = (Number(lat) + 0.001).toFixed(5);
  const check = (q) => request(port, 'GET', '/api/v1/requests/duplicates?' + new URLSearchParams(q));
  assert.deepEqual((await check({ service: 'pothole', latitude: far, longitude: lon })).body.items, []);
  assert.deepEqual((await check({ service: 'flytipping', latitude: lat, longitude: lon })).body.items, []);
  const both = await check({ service: 'pothole', latitude: lat, longitude: lon });
  assert.deepEqual(both.body.items.map((i) => i.id), [first.body.id, second.body.id], 'nearest first');
  await request(port, 'POST', `/api/v1/requests/${first.body.id}/updates`, { body: { kind: 'status_change', status: 'closed', text: 'duplicate' } });
  assert.deepEqual((await check({ service: 'pothole', latitude: lat, longitude: lon })).body.items.map((i) => i.id), [second.body.id]);
  // The same UPRN, without coordinates.
  const uprn = String(Date.now()).slice(-10);
  const a = await request(port, 'POST', '/api/v1/requests', { body: { service: 'missed-bin', uprn, description: 'Not emptied' } });
  const b = await request(port, 'POST', '/api/v1/requests', { body: { service: 'missed-bin', uprn, description: 'Still not emptied' } });
  assert.deepEqual(b.body.possible_duplicates.map((x) => [x.id, x.same_uprn, x.distance_m]), [[a.body.id, true, null]]);
  // The check names what is wrong.
  for (const [q, field] of [[{ latitude: lat, longitude: lon }, 'service'], [{ service: 'nope', uprn }, 'service'], [{ service: 'pothole' }, 'latitude'], [{ service: 'pothole', latitude: '95', longitude: '0' }, 'latitude'], [{ service: 'pothole', latitude: lat }, 'longitude']]) {
    const r = await check(q);
    assert.equal(r.status, 400, JSON.stringify(q) + r.text);
    assert.ok(r.body.errors.some((e) => e.field === field), JSON.stringify(q) + r.text);
  }
});
