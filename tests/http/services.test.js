// services.test.js: the catalogue, enrolments (one or several, all or
// none), and offers that explain themselves, for a table of residents.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { finishServer, serve, request, run, makeToken, freshDb } = require('./helpers');

let srv, port, u = String(Date.now() % 1e8);
const yearsAgo = (y, extraDays = 0) => { const d = new Date(); d.setFullYear(d.getFullYear() - y); d.setDate(d.getDate() - extraDays); return d.toISOString().slice(0, 10); };
const post = async (url, body) => { const r = await request(port, 'POST', url, { body }); assert.equal(r.status, 201, `${url}: ${r.text}`); return r.body; };

// Makes a household at a new property; returns {ids of people by key, household id}.
async function household(prop, people) {
  const p = await post('/api/v1/properties', { uprn: u + String(Math.floor(Math.random() * 1e4)).padStart(4, '0'), address_line_1: 'Somewhere', postcode: 'SE5 7AB', ...prop });
  const ids = {};
  for (const [key, person] of Object.entries(people)) ids[key] = (await post('/api/v1/people', person.body)).id;
  const h = await post('/api/v1/households', { property_id: p.id, members: Object.entries(people).map(([k, v]) => ({ person_id: ids[k], relationship: v.rel })) });
  return { ids, household: h.id };
}

const offers = async (id, explain) => (await request(port, 'GET', `/api/v1/people/${id}/offers${explain ? '?explain=true' : ''}`)).body;
const slugs = (o) => o.items.map((i) => i.service);

test.before(async () => ({ srv, port } = await serve(['--access-log', 'off'])));
test.after(() => finishServer(srv));

test('the catalogue lists at least 100 services, with rules shown', async () => {
  const r = await request(port, 'GET', '/api/v1/services', { auth: false });
  assert.equal(r.status, 200);
  assert.ok(r.body.items.length >= 100, r.body.items.length);
  const fsm = r.body.items.find((s) => s.service === 'free-school-meals');
  assert.ok(fsm && fsm.eligible && fsm.kind === 'enrolment');
  const one = await request(port, 'GET', `/api/v1/services/${fsm.lgsl}`, { auth: false });
  assert.equal(one.body.service, 'free-school-meals');
  assert.equal((await request(port, 'GET', '/api/v1/services/99999999', { auth: false })).status, 404);
});

test('a mother on housing benefit in a third-floor flat: free school meals yes, garden waste never', async () => {
  const { ids } = await household({ property_type: 'flat', floor: 3, has_garden: false, tenure: 'council_rent', council_tax_band: 'B' }, {
    mum: { rel: 'head', body: { given_name: 'Amara', family_name: 'Obi', date_of_birth: yearsAgo(34) } },
    kid: { rel: 'child', body: { given_name: 'Chidi', family_name: 'Obi', date_of_birth: yearsAgo(7) } },
    baby: { rel: 'child', body: { given_name: 'Ada', family_name: 'Obi', date_of_birth: yearsAgo(1) } },
  });
  await post(`/api/v1/people/${ids.mum}/enrolments`, { service: 'housing-benefit', channel: 'phone' });
  const o = await offers(ids.mum, true);
  assert.ok(slugs(o).includes('free-school-meals'), JSON.stringify(slugs(o)));
  const fsm = o.items.find((i) => i.service === 'free-school-meals');
  assert.ok(fsm.reasons.some((r) => /aged/.test(r)), fsm.reasons.join('; '));
  assert.ok(fsm.reasons.some((r) => /receives/.test(r)), fsm.reasons.join('; '));
  assert.ok(!slugs(o).includes('garden-waste'));
  assert.ok(!slugs(o).includes('housing-benefit'), 'they receive it already');
  const gw = o.not_offered.find((i) => i.service === 'garden-waste');
  assert.ok(gw && gw.reasons.some((r) => /floor 3|no garden/.test(r)), JSON.stringify(gw));
  // Ranked: priorities never go down the list.
  const pr = o.items.map((i) => i.priority);
  assert.deepEqual(pr, [...pr].sort((a, b) => a - b));
  assert.deepEqual(o.household_receives, ['housing-benefit']);
});

test('an older man alone in a house with a garden', async () => {
  const { ids } = await household({ property_type: 'house', floor: 0, has_garden: true, tenure: 'owner_occupied', council_tax_band: 'D' }, {
    him: { rel: 'head', body: { given_name: 'Albert', family_name: 'Shaw', date_of_birth: yearsAgo(81) } },
  });
  const s = slugs(await offers(ids.him));
  for (const want of ['garden-waste', 'single-person-discount', 'concessionary-travel']) assert.ok(s.includes(want), `${want} in ${s}`);
  for (const never of ['free-school-meals', 'blue-badge']) assert.ok(!s.includes(never), `${never} not in ${s}`);
});

test('a disabled young woman, no household on record', async () => {
  const id = (await post('/api/v1/people', { given_name: 'Mia', family_name: 'Lund', date_of_birth: yearsAgo(25), accessibility_needs: 'wheelchair user' })).id;
  const o = await offers(id);
  assert.ok(slugs(o).includes('blue-badge'), slugs(o).join());
  assert.equal(o.household_id, null);
  assert.ok(!slugs(o).includes('garden-waste'), 'no home on record: no garden');
  const bb = o.items.find((i) => i.service === 'blue-badge');
  assert.ok(bb.reasons.includes('has recorded accessibility needs'));
});

test('enrol in several services at once: all or none', async () => {
  const { ids } = await household({ property_type: 'house', floor: 0, has_garden: true, tenure: 'owner_occupied' }, {
    a: { rel: 'head', body: { given_name: 'Tom', family_name: 'Reyes', date_of_birth: yearsAgo(70) } },
  });
  const url = `/api/v1/people/${ids.a}/enrolments`;
  const bad = await request(port, 'POST', url, { body: { enrolments: [{ service: 'garden-waste' }, { service: 'no-such-thing' }] } });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.body.errors.map((e) => e.field), ['enrolments[1].service']);
  assert.equal((await request(port, 'GET', url)).body.items.length, 0, 'nothing saved');
  const ok = await request(port, 'POST', url, { body: { enrolments: [{ service: 'garden-waste', channel: 'phone', start_date: yearsAgo(1) }, { service: 'concessionary-travel' }] } });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.items.length, 2);
  const gw = ok.body.items.find((e) => e.service === 'garden-waste');
  assert.ok(gw.household_id, 'a household service records the household');
  const list = (await request(port, 'GET', url)).body.items;
  assert.equal(list.length, 2);
  assert.ok(list.every((e) => e.current && e.service_name));
  assert.ok(!slugs(await offers(ids.a)).includes('garden-waste'), 'no longer offered');
  // Again: already receives it.
  const again = await request(port, 'POST', url, { body: { service: 'garden-waste' } });
  assert.equal(again.status, 422);
  assert.match(again.body.errors[0].message, /already/);
  // Ending it: history kept, offered again.
  const cur = await request(port, 'GET', `/api/v1/people/${ids.a}/enrolments`);
  const e = cur.body.items.find((x) => x.service === 'garden-waste');
  const ended = await request(port, 'PATCH', `/api/v1/enrolments/${e.id}`, { body: { end_date: yearsAgo(0, 1) }, headers: { 'If-Match': `"v${e.version}"` } });
  assert.equal(ended.status, 200, ended.text);
  assert.ok(slugs(await offers(ids.a)).includes('garden-waste'));
  assert.equal((await request(port, 'GET', url)).body.items.filter((x) => x.service === 'garden-waste' && !x.current).length, 1);
});

test('bad enrolments are 422 naming the field and save nothing', async () => {
  const loner = (await post('/api/v1/people', { given_name: 'Solo', family_name: 'Person' })).id;
  const url = `/api/v1/people/${loner}/enrolments`;
  const svc = (await request(port, 'GET', '/api/v1/services', { auth: false })).body.items;
  const req = svc.find((s) => s.kind === 'request');
  const hh = svc.find((s) => s.kind === 'enrolment' && s.unit === 'household');
  for (const [body, field, msg] of [
    [{}, 'service', /required/],
    [{ service: 'nope' }, 'service', /no service/],
    [{ service: req.service }, 'service', /one-off/],
    [{ service: hh.service }, 'service', /household/],
    [{ service: 'blue-badge', start_date: '2024-02-30' }, 'start_date', /date/],
    [{ service: 'blue-badge', start_date: '2024-02-02', end_date: '2024-02-01' }, 'end_date', /before/],
    [{ service: 'blue-badge', person_id: 3 }, 'person_id', /path/],
    [{ service: 'blue-badge', household_id: 3 }, 'household_id', /server/],
    [{ enrolments: [] }, 'enrolments', /list/],
    [{ enrolments: [{ service: 'blue-badge' }, { service: 'blue-badge' }] }, 'enrolments[1].service', /twice/],
  ]) {
    const r = await request(port, 'POST', url, { body });
    assert.equal(r.status, 422, JSON.stringify(body) + r.text);
    assert.equal(r.body.errors[0].field, field, JSON.stringify(body) + r.text);
    assert.match(r.body.errors[0].message, msg);
  }
  assert.equal((await request(port, 'GET', url)).body.items.length, 0);
  assert.equal((await request(port, 'GET', '/api/v1/people/999999999/offers')).status, 404);
});

test('a bad rule stops start-up with the file, line and column', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-cat-'));
  fs.writeFileSync(path.join(dir, 'services.txt'), 'service: a\nlgsl: 1\nname: A\ndepartment: waste\nkind: enrolment\nunit: person\nchannels: web\npromise_days: 1\ncost_pence: 0\neligible: person.age >= 66 or property.colour = "red"\n');
  const r = run(['serve', ...freshDb(), '--catalogue', dir, '--listen', '127.0.0.1:0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /services\.txt:10:31: a: unknown fact 'property\.colour'/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('who is missing out: per service for a manager, and who as CSV for a team leader', async () => {
  const { ids, household: hid } = await household({ property_type: 'flat', floor: 1, tenure: 'council_rent' }, {
    mum: { rel: 'head', body: { given_name: 'Lena', family_name: 'Quill "Q"', date_of_birth: yearsAgo(30) } },
    kid: { rel: 'child', body: { given_name: 'Max', family_name: 'Quill', date_of_birth: yearsAgo(8) } },
  });
  await post(`/api/v1/people/${ids.mum}/enrolments`, { service: 'council-tax-reduction' });
  const mgr = makeToken(srv.db, 'manager'), lead = makeToken(srv.db, 'team_leader');
  const sum = await request(port, 'GET', '/api/v1/reports/missing-out', { headers: { Authorization: 'Bearer ' + mgr } });
  assert.equal(sum.status, 200, sum.text);
  const fsm = sum.body.items.find((i) => i.service === 'free-school-meals');
  assert.ok(fsm.missing_people >= 1 && fsm.missing_households >= 1 && fsm.eligible_people >= fsm.missing_people, JSON.stringify(fsm));
  assert.ok(sum.body.people >= 2);
  assert.equal((await request(port, 'GET', `/api/v1/reports/missing-out/${fsm.lgsl}`, { headers: { Authorization: 'Bearer ' + mgr } })).status, 403);
  const csv = await request(port, 'GET', `/api/v1/reports/missing-out/${fsm.lgsl}`, { headers: { Authorization: 'Bearer ' + lead } });
  assert.equal(csv.status, 200);
  assert.match(csv.headers['content-type'], /^text\/csv/);
  const lines = csv.text.trim().split('\n');
  assert.equal(lines[0], 'service,person_id,household_id,given_name,family_name,postcode');
  assert.ok(lines.includes(`free-school-meals,${ids.mum},${hid},"Lena","Quill ""Q""",SE5 7AB`), csv.text);
  // The same from the command line.
  const cli = run(['offers', '--all', ...srv.db, '--service', 'free-school-meals']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /free-school-meals +\d+ +\d+ +\d+/);
  assert.match(cli.stdout, /\d+ people in \d+ households, 1 services, [\d.]+ s/);
  assert.equal(run(['offers', ...srv.db]).code, 2);
  assert.equal(run(['offers', '--all', ...srv.db, '--service', 'nope']).code, 2);
});
