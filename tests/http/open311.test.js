// open311.test.js: Open311 GeoReport v2 under /open311/v2/, to the letter
// of /work/shared/open311.md: discovery, services, service definitions,
// POST requests with an api_key per client, tokens, GET requests with its
// filters, FixMyStreet's servicerequestupdates, in XML and JSON, with
// errors/error bodies and 400/403/404. Every XML answer is read with a real
// XML parser (tests/http/xml2json.py) and must say what the JSON says.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { finishServer, startServer, request, makeToken, run, setDefaultToken } = require('./helpers');

const JURISDICTION = 'frontdoor.test.gov.uk';
const W3C = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;
let srv, port, key, otherKey;

test.before(async () => {
  srv = await startServer(['--access-log', 'off', '--jurisdiction', JURISDICTION]);
  port = srv.port;
  setDefaultToken(makeToken(srv.db, 'team_leader'));
  const k = run(['open311-key', 'create', ...srv.db, '--name', 'FixMyStreet']);
  assert.equal(k.code, 0, k.stderr);
  key = k.stdout.trim();
  otherKey = run(['open311-key', 'create', ...srv.db, '--name', 'Another client']).stdout.trim();
});
test.after(() => finishServer(srv));

function xml2json(text) {
  const r = spawnSync('/usr/bin/python3', [path.join(__dirname, 'xml2json.py')], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, `not well-formed XML: ${r.stderr}\n${text}`);
  return JSON.parse(r.stdout);
}

// The JSON answer with every scalar as the text XML would carry.
function asText(v) {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(asText);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asText(x)]));
  if (v === '') return null;
  return String(v);
}

// One Open311 call: {status, ctype, body (JSON, or the XML as Spark JSON), root, text}.
async function o311(method, url, form) {
  const raw = form ? new URLSearchParams(form).toString() : undefined;
  const headers = raw !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' } : {};
  const r = await request(port, method, '/open311/v2/' + url, { raw, headers, auth: false });
  const out = { status: r.status, ctype: r.headers['content-type'], text: r.text };
  if (/\.xml(\?|$)/.test(url)) {
    assert.equal(r.headers['content-type'], 'text/xml; charset=utf-8', r.text);
    const x = xml2json(r.text);
    out.root = x._root;
    out.body = x.value;
  } else {
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8', r.text);
    out.body = JSON.parse(r.text);
  }
  return out;
}

// Both formats of a GET: asserts they agree, returns the JSON one.
async function both(url, status = 200, root) {
  const j = await o311('GET', url.replace('{fmt}', 'json'));
  const x = await o311('GET', url.replace('{fmt}', 'xml'));
  assert.equal(j.status, status, j.text);
  assert.equal(x.status, status, x.text);
  if (root) assert.equal(x.root, root);
  assert.deepEqual(x.body, asText(j.body), `XML and JSON differ for ${url}`);
  return j;
}

// An errors body in both formats with this status.
async function errorsOf(method, url, form, status) {
  const out = [];
  for (const fmt of ['json', 'xml']) {
    const r = await o311(method, url.replace('{fmt}', fmt), form);
    assert.equal(r.status, status, `${method} ${url} (${fmt}): ${r.text}`);
    if (fmt === 'xml') assert.equal(r.root, 'errors');
    assert.ok(Array.isArray(r.body) && r.body.length >= 1, r.text);
    for (const e of r.body) {
      assert.equal(String(e.code), String(status));
      assert.equal(typeof e.description, 'string');
    }
    if (fmt === 'json') assert.equal(typeof r.body[0].code, 'number');
    out.push(r.body.map((e) => e.description).join(' | '));
  }
  return out[0];
}

const report = (extra = {}) => ({ api_key: key, jurisdiction_id: JURISDICTION, service_code: 'pothole', lat: '51.4613', long: '-0.1156', description: 'Deep hole', ...extra });

test('discovery says where the API is, in both formats', async () => {
  const d = await both('discovery.{fmt}', 200, 'discovery');
  for (const f of ['changeset', 'contact', 'key_service', 'endpoints']) assert.ok(d.body[f], f);
  assert.match(d.body.changeset, W3C);
  assert.ok(Date.parse(d.body.changeset) <= Date.now());
  assert.equal(d.body.endpoints.length, 1);
  const ep = d.body.endpoints[0];
  assert.equal(ep.specification, 'http://wiki.open311.org/GeoReport_v2');
  assert.equal(ep.url, `http://127.0.0.1:${port}/open311/v2`);
  assert.equal(ep.type, 'production');
  assert.deepEqual(ep.formats, ['text/xml', 'application/json']);
  assert.match(ep.changeset, W3C);
  // Also where clients usually look, beside the API.
  const r = await request(port, 'GET', '/open311/discovery.json', { auth: false });
  assert.deepEqual(JSON.parse(r.text), d.body);
});

test('the service list offers street problems only, with the fields the spec names', async () => {
  const s = await both('services.{fmt}', 200, 'services');
  assert.ok(Array.isArray(s.body) && s.body.length >= 10);
  const codes = s.body.map((x) => x.service_code);
  assert.ok(codes.includes('pothole') && codes.includes('flytipping'));
  for (const never of ['fostering', 'homelessness-help', 'care-needs-assessment', 'missed-bin']) assert.ok(!codes.includes(never), never);
  for (const x of s.body) {
    assert.deepEqual(Object.keys(x), ['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group']);
    assert.equal(typeof x.service_code, 'string');
    assert.equal(typeof x.metadata, 'boolean');
    assert.ok(['realtime', 'batch'].includes(x.type));
  }
  const p = s.body.find((x) => x.service_code === 'pothole');
  assert.deepEqual([p.service_name, p.metadata, p.type, p.group, p.keywords], ['Report a pothole', true, 'realtime', 'Roads and pavements', 'road,pothole']);
  assert.equal(s.body.find((x) => x.service_code === 'flyposting').metadata, false, 'no fields but location and photos');
  assert.equal(s.body.find((x) => x.service_code === 'abandoned-vehicle').type, 'batch');
});

test('a service definition lists its e-form fields as attributes', async () => {
  const d = await both('services/graffiti.{fmt}', 200, 'service_definition');
  assert.equal(d.body.service_code, 'graffiti');
  assert.deepEqual(d.body.attributes, [{ variable: true, code: 'is_offensive', datatype: 'singlevaluelist', required: false, datatype_description: 'Yes or no', order: 1, description: 'Is offensive', values: [{ key: 'yes', name: 'Yes' }, { key: 'no', name: 'No' }] }]);
  const f = await both('services/flytipping.{fmt}');
  assert.deepEqual(f.body.attributes.map((a) => [a.code, a.datatype, a.order]), [['waste_description', 'string', 1], ['quantity', 'string', 2], ['witness_details', 'string', 3]]);
  const one = await both('services/flyposting.{fmt}');
  assert.deepEqual(one.body.attributes, []);
  assert.match(await errorsOf('GET', 'services/fostering.{fmt}', null, 404), /fostering is not a service/);
  assert.match(await errorsOf('GET', 'services/no-such-thing.{fmt}', null, 404), /not a service/);
});

test('POST requests makes a request with its promised date, informs the reporter, and answers in both formats', async () => {
  const email = `fms${Date.now()}@example.org`;
  const j = await o311('POST', 'requests.json', report({
    description: 'Deep hole\r\n\r\nby the bus stop\r\n', lat: '51.46131234', long: '-0.11561234', email, first_name: 'Ann', last_name: '-',
    phone: '+44 7700 900123', media_url: 'https://example.org/p.jpg', 'attribute[size_estimate]': 'large',
  }));
  assert.equal(j.status, 200, j.text);
  assert.equal(j.body.length, 1);
  assert.deepEqual(Object.keys(j.body[0]), ['service_request_id', 'service_notice', 'account_id']);
  assert.match(j.body[0].service_request_id, /^\d+$/);
  assert.match(j.body[0].service_notice, /^We will deal with it by \w+day \d+ \w+ \d{4}\.$/);
  assert.equal(j.body[0].account_id, null);
  const id = Number(j.body[0].service_request_id);
  const r = await request(port, 'GET', `/api/v1/requests/${id}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.service, 'pothole');
  assert.equal(r.body.channel, 'web');
  assert.equal(r.body.description, 'Deep hole\n\nby the bus stop\n');
  assert.equal(r.body.latitude, '51.461312');
  assert.equal(r.body.longitude, '-0.115612');
  assert.deepEqual(r.body.answers, { size_estimate: 'large' });
  assert.equal(r.body.contact_email, email);
  assert.equal(r.body.contact_name, 'Ann');
  assert.equal(r.body.team, 'highways');
  // The reporter is told, by the email they gave.
  const n = await request(port, 'GET', `/api/v1/requests/${id}/notifications`);
  assert.deepEqual(n.body.items.map((x) => [x.channel, x.recipient]), [['email', email]]);
  // XML, with an address instead of a point.
  const x = await o311('POST', 'requests.xml', { api_key: key, service_code: 'flytipping', address_string: '3 Acre Lane, SW2 5SG', 'attribute[quantity]': 'a van load' });
  assert.equal(x.status, 200, x.text);
  assert.equal(x.root, 'service_requests');
  assert.match(x.body[0].service_request_id, /^\d+$/);
  assert.equal(x.body[0].account_id, null);
  // A UPRN as address_id.
  const u = await o311('POST', 'requests.json', { api_key: key, service_code: 'street-light', address_id: '100021345678', 'attribute[column_number]': '42' });
  assert.equal(u.status, 200, u.text);
  assert.equal((await request(port, 'GET', `/api/v1/requests/${u.body[0].service_request_id}`)).body.uprn, '100021345678');
});

test('POST requests refuses a bad key (403), an unknown service (404) and bad fields (400), saving nothing', async () => {
  const count = async () => (await request(port, 'GET', '/api/v1/requests?team=highways&limit=1000')).body.items.length;
  const before = await count();
  const { api_key: _drop, ...nokey } = report();
  assert.match(await errorsOf('POST', 'requests.{fmt}', nokey, 403), /api_key/);
  assert.match(await errorsOf('POST', 'requests.{fmt}', report({ api_key: 'nonsense' }), 403), /Invalid api_key/);
  assert.match(await errorsOf('POST', 'requests.{fmt}', report({ api_key: makeToken(srv.db, 'agent', undefined, 'read write') }), 403), /Invalid api_key/);
  assert.match(await errorsOf('POST', 'requests.{fmt}', report({ service_code: '' }), 400), /service_code: is required/);
  assert.match(await errorsOf('POST', 'requests.{fmt}', report({ service_code: 'fostering' }), 404), /not a service/);
  assert.match(await errorsOf('POST', 'requests.{fmt}', report({ jurisdiction_id: 'elsewhere.gov.uk' }), 404), /jurisdiction_id/);
  assert.match(await errorsOf('POST', 'requests.{fmt}', report({ lat: '', long: '' }), 400), /location is required/);
  assert.match(await errorsOf('POST', 'requests.{fmt}', report({ long: '' }), 400), /location is required/);
  assert.match(await errorsOf('POST', 'requests.{fmt}', report({ lat: '95' }), 400), /lat: must be a number from -90 to 90/);
  assert.match(await errorsOf('POST', 'requests.{fmt}', report({ email: 'not-an-email' }), 400), /email:/);
  assert.match(await errorsOf('POST', 'requests.{fmt}', report({ 'attribute[colour]': 'red' }), 400), /attribute\[colour\]: is not an attribute of pothole/);
  assert.match(await errorsOf('POST', 'requests.{fmt}', report({ service_code: 'graffiti', 'attribute[is_offensive]': 'very' }), 400), /attribute\[is_offensive\]/);
  assert.match(await errorsOf('POST', 'requests.{fmt}', report({ description: 'x'.repeat(4001) }), 400), /description: must be at most 4000/);
  // Several errors at once are listed one by one.
  const many = await o311('POST', 'requests.json', report({ email: 'bad', lat: '95' }));
  assert.equal(many.status, 400);
  assert.ok(many.body.length >= 2, many.text);
  // A JSON body is not a form.
  const js = await request(port, 'POST', '/open311/v2/requests.json', { body: report(), auth: false });
  assert.equal(js.status, 400, js.text);
  assert.equal(JSON.parse(js.text)[0].code, 400);
  assert.equal(await count(), before, 'nothing was saved');
});

test('a multivaluelist answer and the other client key both work', async () => {
  const r = await o311('POST', 'requests.json', report({ api_key: otherKey, service_code: 'flytipping' }));
  assert.equal(r.status, 200, r.text);
  const raw = `api_key=${encodeURIComponent(otherKey)}&service_code=flytipping&lat=51.45&long=-0.12&attribute%5Bwaste_description%5D%5B%5D=sofa&attribute%5Bwaste_description%5D%5B%5D=mattress`;
  const m = await request(port, 'POST', '/open311/v2/requests.json', { raw, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, auth: false });
  assert.equal(m.status, 200, m.text);
  const got = await request(port, 'GET', `/api/v1/requests/${JSON.parse(m.text)[0].service_request_id}`);
  assert.deepEqual(got.body.answers, { waste_description: 'sofa, mattress' });
  assert.equal(got.body.description, 'Report fly-tipping', 'no description: the service name');
});

test('a batch service answers with a token; tokens/{token} gives the id', async () => {
  const r = await o311('POST', 'requests.xml', report({ service_code: 'abandoned-vehicle', 'attribute[vehicle_registration]': 'AB12 CDE' }));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.body[0]), ['token', 'service_notice', 'account_id']);
  const token = r.body[0].token;
  assert.match(token, /^[0-9a-f]{32}$/);
  const t = await both(`tokens/${token}.{fmt}`, 200, 'service_requests');
  assert.equal(t.body.length, 1);
  assert.equal(t.body[0].token, token);
  assert.match(t.body[0].service_request_id, /^\d+$/);
  const g = await request(port, 'GET', `/api/v1/requests/${t.body[0].service_request_id}`);
  assert.equal(g.body.service, 'abandoned-vehicle');
  assert.equal(g.body.open311_token, token);
  await errorsOf('GET', 'tokens/0123456789abcdef0123456789abcdef.{fmt}', null, 404);
});

test('GET requests/{id} is a list of one with every field the spec names; others are 404', async () => {
  const made = await o311('POST', 'requests.json', report({ description: 'Kerb <broken> & "sharp"' }));
  const id = made.body[0].service_request_id;
  await request(port, 'POST', `/api/v1/requests/${id}/updates`, { body: { kind: 'status_change', status: 'resolved', text: 'Filled in' } });
  const one = await both(`requests/${id}.{fmt}`, 200, 'service_requests');
  assert.equal(one.body.length, 1);
  const r = one.body[0];
  assert.deepEqual(Object.keys(r), ['service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'description', 'agency_responsible', 'service_notice', 'requested_datetime', 'updated_datetime', 'expected_datetime', 'address', 'address_id', 'zipcode', 'lat', 'long', 'media_url']);
  assert.equal(r.service_request_id, id);
  assert.equal(r.status, 'closed');
  assert.equal(r.status_notes, 'Filled in');
  assert.equal(r.service_code, 'pothole');
  assert.equal(r.service_name, 'Report a pothole');
  assert.equal(r.description, 'Kerb <broken> & "sharp"');
  assert.equal(r.agency_responsible, 'highways');
  for (const f of ['requested_datetime', 'updated_datetime', 'expected_datetime']) assert.match(r[f], W3C, f);
  assert.equal(r.lat, 51.4613);
  assert.equal(r.long, -0.1156);
  assert.equal(r.zipcode, null);
  await errorsOf('GET', 'requests/999999999.{fmt}', null, 404);
  // A request for a service Open311 does not offer is not shown.
  const priv = await request(port, 'POST', '/api/v1/requests', { body: { service: 'missed-bin', address: '9 Elm Road', description: 'private' } });
  assert.equal(priv.status, 201);
  await errorsOf('GET', `requests/${priv.body.id}.{fmt}`, null, 404);
});

test('GET requests filters by id, service, status and dates; empty parameters are absent ones', async () => {
  const a = (await o311('POST', 'requests.json', report({ service_code: 'graffiti', 'attribute[is_offensive]': 'yes' }))).body[0].service_request_id;
  const b = (await o311('POST', 'requests.json', report({ service_code: 'dog-fouling' }))).body[0].service_request_id;
  await request(port, 'POST', `/api/v1/requests/${b}/updates`, { body: { kind: 'status_change', status: 'closed', text: 'Cleaned' } });
  const ids = (r) => r.body.map((x) => x.service_request_id);
  // service_request_id overrides everything else.
  const byId = await both(`requests.{fmt}?service_request_id=${a},${b}&service_code=pothole&status=open`);
  assert.deepEqual(ids(byId).sort(), [a, b].sort());
  const g = await both('requests.{fmt}?service_code=graffiti,dog-fouling');
  assert.ok(ids(g).includes(a) && ids(g).includes(b));
  assert.ok(g.body.every((x) => ['graffiti', 'dog-fouling'].includes(x.service_code)));
  const open = await both('requests.{fmt}?service_code=graffiti,dog-fouling&status=open');
  assert.ok(ids(open).includes(a) && !ids(open).includes(b));
  const closed = await both('requests.{fmt}?service_code=graffiti,dog-fouling&status=closed');
  assert.ok(!ids(closed).includes(a) && ids(closed).includes(b));
  const all = await both('requests.{fmt}?status=&service_code=&start_date=&end_date=');
  assert.ok(ids(all).includes(a) && ids(all).includes(b));
  assert.ok(!all.body.some((x) => x.service_code === 'missed-bin'));
  assert.ok(Number(all.body[0].service_request_id) >= Number(all.body[all.body.length - 1].service_request_id), 'newest first');
  // Dates: a window in the past has none of them; one around now has both; offsets are understood.
  const past = await both('requests.{fmt}?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z');
  assert.deepEqual(past.body, []);
  const now = Date.now();
  const iso = (t) => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
  const plus = (t) => iso(t).replace('Z', '+00:00');
  const win = await both(`requests.{fmt}?start_date=${encodeURIComponent(plus(now - 3600e3))}&end_date=${encodeURIComponent(plus(now + 60e3))}`);
  assert.ok(ids(win).includes(a) && ids(win).includes(b));
  // Bad filters are 400 with an errors body.
  assert.match(await errorsOf('GET', 'requests.{fmt}?start_date=yesterday', null, 400), /start_date/);
  assert.match(await errorsOf('GET', 'requests.{fmt}?start_date=2026-01-01T00:00:00', null, 400), /start_date/);
  assert.match(await errorsOf('GET', 'requests.{fmt}?start_date=2020-01-01T00:00:00Z&end_date=2020-06-01T00:00:00Z', null, 400), /90 days/);
  assert.match(await errorsOf('GET', 'requests.{fmt}?start_date=2020-02-01T00:00:00Z&end_date=2020-01-01T00:00:00Z', null, 400), /before start_date/);
  assert.match(await errorsOf('GET', 'requests.{fmt}?status=pending', null, 400), /status/);
  assert.match(await errorsOf('GET', 'requests.{fmt}?service_code=fostering', null, 400), /fostering/);
  assert.match(await errorsOf('GET', 'requests.{fmt}?service_request_id=abc', null, 400), /service_request_id/);
  assert.match(await errorsOf('GET', 'requests.{fmt}?colour=red', null, 400), /colour/);
  assert.match(await errorsOf('GET', 'requests.{fmt}?jurisdiction_id=elsewhere', null, 404), /jurisdiction_id/);
  await both(`requests.{fmt}?jurisdiction_id=${JURISDICTION}`);
});

test('servicerequestupdates: public updates in a window with FixMyStreet statuses; a client posts its own', async () => {
  const start = new Date(Date.now() - 5000).toISOString().replace(/\.\d+Z$/, 'Z');
  const id = (await o311('POST', 'requests.json', report({ email: `upd${Date.now()}@example.org` }))).body[0].service_request_id;
  const upd = (body) => request(port, 'POST', `/api/v1/requests/${id}/updates`, { body });
  await upd({ kind: 'status_change', status: 'in_progress' });
  await upd({ kind: 'internal_note', text: 'contractor B' });
  await upd({ kind: 'public_note', text: 'Booked for Tuesday' });
  await upd({ kind: 'status_change', status: 'waiting', text: 'Awaiting a road closure' });
  await upd({ kind: 'status_change', status: 'resolved', text: 'Filled' });
  const end = new Date(Date.now() + 5000).toISOString().replace(/\.\d+Z$/, 'Z');
  const q = `servicerequestupdates.{fmt}?start_date=${start}&end_date=${end}&api_key=${encodeURIComponent(key)}&jurisdiction_id=${JURISDICTION}`;
  const u = await both(q, 200, 'service_request_updates');
  const mine = u.body.filter((x) => x.service_request_id === id);
  assert.deepEqual(mine.map((x) => [x.status, x.description]), [
    ['open', mine[0].description], ['in_progress', ''], ['in_progress', 'Booked for Tuesday'], ['action_scheduled', 'Awaiting a road closure'], ['fixed', 'Filled']]);
  assert.match(mine[0].description, /^Received\. We will deal with it by /);
  for (const x of mine) {
    assert.deepEqual(Object.keys(x), ['update_id', 'service_request_id', 'status', 'updated_datetime', 'description', 'media_url', 'external_status_code']);
    assert.match(x.update_id, /^\d+$/);
    assert.match(x.updated_datetime, W3C);
    assert.equal(x.media_url, '');
  }
  assert.ok(!u.body.some((x) => /contractor B/.test(x.description)), 'internal notes stay inside');
  assert.match(await errorsOf('GET', `servicerequestupdates.{fmt}?api_key=wrong`, null, 403), /api_key/);
  // FixMyStreet posts a reporter's update: it says it is not fixed.
  const post = { api_key: key, service_request_id: id, update_id: `fms-${Date.now()}`, status: 'REOPEN', updated_datetime: end.replace('Z', '+00:00'), description: 'Still a hole here\r\n', first_name: 'Ann', last_name: '-', email: 'ann@example.org' };
  const p = await o311('POST', 'servicerequestupdates.xml', post);
  assert.equal(p.status, 200, p.text);
  assert.equal(p.root, 'service_request_updates');
  assert.match(p.body[0].update_id, /^\d+$/);
  assert.equal(p.body[0].account_id, null);
  const again = await o311('POST', 'servicerequestupdates.json', post);
  assert.equal(again.body[0].update_id, p.body[0].update_id, 'the same update_id is the same update');
  const g = await request(port, 'GET', `/api/v1/requests/${id}`);
  assert.equal(g.body.status, 'in_progress', 'reopened');
  const told = await request(port, 'GET', `/api/v1/requests/${id}/notifications?limit=1000`);
  assert.equal(told.body.items.filter((n) => /reopened/.test(n.body)).length, 1, 'the reporter is told, once');
  const notes = g.body.timeline.filter((t) => t.external_id === post.update_id);
  assert.deepEqual(notes.map((t) => [t.kind, t.text, t.public]), [['public_note', 'Still a hole here\n', true], ['status_change', 'Reopened: the reporter says it is not fixed', true]]);
  const back = await both(q.replace(end, new Date(Date.now() + 5000).toISOString().replace(/\.\d+Z$/, 'Z')));
  assert.ok(!back.body.some((x) => x.description === 'Still a hole here\n'), 'a client is not sent its own update back');
  // Refusals.
  const { api_key: _k, ...nokey } = post;
  await errorsOf('POST', 'servicerequestupdates.{fmt}', nokey, 403);
  const missing = await errorsOf('POST', 'servicerequestupdates.{fmt}', { api_key: key }, 400);
  for (const f of ['service_request_id', 'update_id', 'status', 'updated_datetime', 'description']) assert.match(missing, new RegExp(`${f}: is required`));
  assert.match(await errorsOf('POST', 'servicerequestupdates.{fmt}', { ...post, status: 'open' }, 400), /status/);
  assert.match(await errorsOf('POST', 'servicerequestupdates.{fmt}', { ...post, updated_datetime: '2026-11-01 10:00' }, 400), /updated_datetime/);
  await errorsOf('POST', 'servicerequestupdates.{fmt}', { ...post, service_request_id: '999999999' }, 404);
});

test('anything else under /open311/ answers with an errors body too', async () => {
  await errorsOf('GET', 'nothing-here.{fmt}', null, 404);
  await errorsOf('DELETE', 'services.{fmt}', null, 400);
  await errorsOf('GET', 'services.{fmt}?jurisdiction_id=elsewhere', null, 404);
  const multipart = await request(port, 'POST', '/open311/v2/requests.xml', { raw: '--x\r\n\r\n--x--', headers: { 'Content-Type': 'multipart/form-data; boundary=x' }, auth: false });
  assert.equal(multipart.status, 400);
  assert.equal(xml2json(multipart.text)._root, 'errors');
});
