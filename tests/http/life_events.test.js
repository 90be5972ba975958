// life_events.test.js: tell us once. Every playbook in catalogue/life_events.txt
// applied to a real household; a preview changes nothing; the same report
// twice changes nothing; a mistaken death is reversed; team tasks are
// claimed, completed and found overdue; bad input is 4xx naming the field.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { finishServer, startServer, request, run, freshDb, makeToken, makeUser, setDefaultToken } = require('./helpers');

let srv, port, tok = {}, u = String(Date.now() % 1e7).padStart(7, '0'), seq = 0;
const today = new Date().toISOString().slice(0, 10);
const yearsAgo = (y, days = 0) => { const d = new Date(today + 'T00:00:00Z'); d.setUTCFullYear(d.getUTCFullYear() - y); d.setUTCDate(d.getUTCDate() - days); return d.toISOString().slice(0, 10); };
const daysAgo = (n) => { const d = new Date(today + 'T00:00:00Z'); d.setUTCDate(d.getUTCDate() - n); return d.toISOString().slice(0, 10); };
const post = async (url, body, headers) => { const r = await request(port, 'POST', url, { body, headers }); assert.equal(r.status, 201, `${url}: ${r.text}`); return r.body; };
const get = async (url, headers) => { const r = await request(port, 'GET', url, { headers }); assert.equal(r.status, 200, `${url}: ${r.text}`); return r.body; };
const bearer = (t) => ({ Authorization: 'Bearer ' + t });

async function property(p) {
  seq++;
  return (await post('/api/v1/properties', { uprn: u + String(seq).padStart(4, '0'), address_line_1: `${seq} Coldharbour Lane`, postcode: 'SE5 9NR', ...p })).id;
}

// A household at a new property: {ids by key, household, property}.
async function household(prop, people) {
  const pid = await property(prop);
  const ids = {};
  for (const [key, person] of Object.entries(people)) ids[key] = (await post('/api/v1/people', person.body)).id;
  const h = await post('/api/v1/households', { property_id: pid, members: Object.entries(people).map(([k, v]) => ({ person_id: ids[k], relationship: v.rel })) });
  return { ids, household: h.id, property: pid };
}

const enrol = (pid, service) => post(`/api/v1/people/${pid}/enrolments`, { service });
const enrolments = async (pid) => (await get(`/api/v1/people/${pid}/enrolments`)).items;
const current = async (pid) => (await enrolments(pid)).filter((e) => e.current && (!e.end_date || e.end_date > today)).map((e) => e.service).sort();
const report = (body, preview) => request(port, 'POST', `/api/v1/life-events${preview ? '?preview=true' : ''}`, { body });
const kinds = (fx, kind) => fx.filter((e) => e.kind === kind);
const offered = (fx, pid) => kinds(fx, 'offer').filter((o) => pid === undefined || o.person_id === pid).map((o) => o.service);

// SQL on the server's own database (to make a task overdue without waiting).
function sql(stmt) {
  const db = srv.db;
  const r = db[0] === '--pg' ? spawnSync('psql', [db[1], '-v', 'ON_ERROR_STOP=1', '-qc', stmt], { encoding: 'utf8' })
    : spawnSync('sqlite3', [db[1], stmt], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

test.before(async () => {
  srv = await startServer(['--access-log', 'off']);
  port = srv.port;
  for (const r of ['agent', 'team_leader', 'dpo', 'admin']) tok[r] = makeToken(srv.db, r);
  tok.revenues = makeToken(srv.db, 'back_office', 'revenues_benefits');
  tok.revenues2 = makeToken(srv.db, 'back_office', 'revenues_benefits');
  tok.parking = makeToken(srv.db, 'back_office', 'parking');
  setDefaultToken(tok.agent);
});
test.after(() => finishServer(srv));

// A couple in their seventies in a council house with a garden.
async function couple() {
  const h = await household({ property_type: 'house', floor: 0, has_garden: true, tenure: 'council_rent', council_tax_band: 'C' }, {
    arthur: { rel: 'head', body: { given_name: 'Arthur', family_name: 'Pike', date_of_birth: yearsAgo(78), email: `arthur${u}@example.org`, accessibility_needs: 'uses a wheelchair' } },
    maud: { rel: 'partner', body: { given_name: 'Maud', family_name: 'Pike', date_of_birth: yearsAgo(74), email: `maud${u}@example.org` } },
  });
  for (const s of ['council-tax', 'council-tenancy', 'garden-waste', 'concessionary-travel', 'blue-badge', 'electoral-register', 'assisted-bin-collection']) await enrol(h.ids.arthur, s);
  for (const s of ['concessionary-travel', 'electoral-register']) await enrol(h.ids.maud, s);
  return h;
}

test('one partner dies: preview changes nothing; then every service hears once, and the survivor is offered the single person discount and bereavement help', async () => {
  const { ids, household: hh } = await couple();
  // Something waiting to be sent to Arthur, which his death must stop.
  const dis = await report({ person_id: ids.arthur, type: 'becoming_disabled', event_date: daysAgo(30), details: { accessibility_needs: 'uses a wheelchair since a stroke' } });
  assert.equal(dis.status, 201, dis.text);
  assert.equal(kinds(dis.body.effects, 'notification_queued').length, 1, JSON.stringify(dis.body.effects));

  const before = { a: await enrolments(ids.arthur), m: await enrolments(ids.maud), p: await get(`/api/v1/people/${ids.arthur}`), h: await get(`/api/v1/households/${hh}`), t: await get('/api/v1/tasks?limit=1000'), c: await get(`/api/v1/people/${ids.arthur}/contacts`) };
  const body = { person_id: ids.arthur, type: 'death', event_date: today, channel: 'phone', details: { note: 'his daughter rang' } };
  const pv = await report(body, true);
  assert.equal(pv.status, 200, pv.text);
  assert.equal(pv.body.preview, true);
  assert.equal(pv.body.id, null);
  const after = { a: await enrolments(ids.arthur), m: await enrolments(ids.maud), p: await get(`/api/v1/people/${ids.arthur}`), h: await get(`/api/v1/households/${hh}`), t: await get('/api/v1/tasks?limit=1000'), c: await get(`/api/v1/people/${ids.arthur}/contacts`) };
  assert.deepEqual(after, before, 'a preview changes nothing');

  const r = await report(body);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.status, 'applied');
  assert.match(r.headers.location, /\/api\/v1\/life-events\/\d+$/);
  // The preview showed exactly this (ids aside).
  const shape = (fx) => fx.map((e) => `${e.kind} ${e.service || e.team || e.field || ''}`);
  assert.deepEqual(shape(pv.body.effects), shape(r.body.effects));
  const fx = r.body.effects;
  // Recorded as dead; letters to him stopped.
  assert.equal((await get(`/api/v1/people/${ids.arthur}`)).date_of_death, today);
  assert.equal(kinds(fx, 'notification_cancelled').length, 1, JSON.stringify(fx));
  // Every service of his own ends, and what was billed to him.
  assert.deepEqual(await current(ids.arthur), []);
  const ended = kinds(fx, 'enrolment_ended').map((e) => e.service).sort();
  for (const s of ['blue-badge', 'concessionary-travel', 'electoral-register', 'garden-waste', 'council-tax']) assert.ok(ended.includes(s), `${s} ended: ${ended}`);
  // Assisted bin collection was for him: at 74 and able, she no longer qualifies (with the reasons).
  const abc = kinds(fx, 'enrolment_ended').find((e) => e.service === 'assisted-bin-collection');
  assert.ok(abc && abc.reasons && abc.reasons.length, JSON.stringify(abc));
  // Council tax and the tenancy pass to Maud; her own services carry on.
  const started = kinds(fx, 'enrolment_started');
  assert.deepEqual(started.map((e) => e.service).sort(), ['council-tax', 'council-tenancy']);
  assert.ok(started.every((e) => e.person_id === ids.maud && e.household_id === hh));
  const maud = await enrolments(ids.maud);
  assert.ok(maud.some((e) => e.service === 'council-tax' && !e.end_date));
  assert.ok(maud.some((e) => e.service === 'concessionary-travel' && !e.end_date));
  // The survivor is offered the single person discount and bereavement help, with reasons.
  const offers = kinds(fx, 'offer').filter((o) => o.person_id === ids.maud);
  const spd = offers.find((o) => o.service === 'single-person-discount');
  assert.ok(spd, JSON.stringify(offers));
  assert.ok(spd.reasons.some((x) => /1 adult/.test(x)), spd.reasons.join('; '));
  assert.ok(offers.some((o) => o.service === 'bereavement'));
  // He no longer lives there; she does.
  const h = await get(`/api/v1/households/${hh}`);
  assert.equal(h.members.find((m) => m.person_id === ids.arthur).to_date, today);
  // A task for every council team Tell Us Once covers, with a due date.
  const teams = kinds(fx, 'task').map((t) => t.team).sort();
  assert.deepEqual(teams, ['community', 'housing', 'libraries', 'parking', 'registration', 'revenues_benefits', 'social_care', 'waste']);
  assert.ok(kinds(fx, 'task').every((t) => t.due_date >= today));
  // One contact, and a letter to Maud (none to Arthur).
  assert.equal((await get(`/api/v1/people/${ids.arthur}/contacts`)).items.length, before.c.items.length + 1);
  const notes = kinds(fx, 'notification_queued');
  assert.deepEqual(notes.map((n) => n.person_id), [ids.maud]);
  // The same report again changes nothing.
  const again = await report(body);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.already_reported, true);
  assert.equal(again.body.id, r.body.id);
  assert.equal((await get(`/api/v1/tasks?limit=1000`)).items.length, before.t.items.length + 8);
  assert.equal((await get(`/api/v1/people/${ids.arthur}/contacts`)).items.length, before.c.items.length + 1);
  // Reporting anything else for him now is refused.
  const late = await report({ person_id: ids.arthur, type: 'move_out', event_date: today });
  assert.equal(late.status, 422);
  assert.equal(late.body.errors[0].field, 'person_id');
  // Both people touched are in the audit trail, in the report's own transaction.
  for (const pid of [ids.arthur, ids.maud]) {
    const audit = await get(`/api/v1/people/${pid}/audit?limit=1000`, bearer(tok.dpo));
    assert.ok(audit.items.some((a) => a.route === 'POST /api/v1/life-events' && a.action === 'create' && a.status === 201), JSON.stringify(audit.items.slice(-3)));
  }
  // The record of it, with its tasks.
  const ev = await get(`/api/v1/life-events/${r.body.id}`);
  assert.equal(ev.tasks.length, 8);
  assert.equal(ev.effects.length, fx.length);
});

test('the wrong person reported dead: reversal restores everything it can and lists the rest', async () => {
  const { ids, household: hh } = await couple();
  const beforeA = await enrolments(ids.arthur), beforeM = await current(ids.maud);
  const r = await report({ person_id: ids.arthur, type: 'death', event_date: today });
  assert.equal(r.status, 201, r.text);
  // The revenues team has already acted on one task.
  const task = kinds(r.body.effects, 'task').find((t) => t.team === 'revenues_benefits');
  assert.equal((await request(port, 'POST', `/api/v1/tasks/${task.task_id}/complete`, { body: { note: 'account closed' }, headers: bearer(tok.revenues) })).status, 200);
  const bad = await request(port, 'POST', `/api/v1/life-events/${r.body.id}/reverse`, { body: {} });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.errors[0].field, 'reason');
  const rev = await request(port, 'POST', `/api/v1/life-events/${r.body.id}/reverse`, { body: { reason: 'it was his neighbour who died' } });
  assert.equal(rev.status, 200, rev.text);
  assert.equal(rev.body.status, 'reversed');
  assert.ok(rev.body.restored.length >= 10, JSON.stringify(rev.body.restored));
  assert.equal(rev.body.needs_person.length, 1, JSON.stringify(rev.body.needs_person));
  assert.match(rev.body.needs_person[0].why, /revenues_benefits team has already done this/);
  // Alive again, at home, with every service as it was.
  const p = await get(`/api/v1/people/${ids.arthur}`);
  assert.equal(p.date_of_death, null);
  assert.equal(p.household.id, hh);
  assert.deepEqual((await enrolments(ids.arthur)).map((e) => [e.service, e.end_date]), beforeA.map((e) => [e.service, e.end_date]));
  assert.deepEqual(await current(ids.maud), beforeM);
  // Its open tasks are cancelled, the done one is not.
  const tasks = (await get(`/api/v1/life-events/${r.body.id}`)).tasks;
  assert.deepEqual(tasks.map((t) => t.status).sort(), ['cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled', 'cancelled', 'done']);
  // The person's life events list it, reversed, with the reason.
  const list = (await get(`/api/v1/people/${ids.arthur}/life-events`)).items;
  assert.deepEqual(list.map((e) => [e.type, e.status, e.reversal_reason]), [['death', 'reversed', 'it was his neighbour who died']]);
  // Twice is refused; and the event may now be reported again if it does happen.
  assert.equal((await request(port, 'POST', `/api/v1/life-events/${r.body.id}/reverse`, { body: { reason: 'again' } })).status, 409);
  const body = { person_id: ids.arthur, type: 'death', event_date: today };
  const key = { 'Idempotency-Key': 'death-' + u + ids.arthur };
  const real = await request(port, 'POST', '/api/v1/life-events', { body, headers: key });
  assert.equal(real.status, 201, real.text);
  // A retry with the same key replays the answer.
  const retry = await request(port, 'POST', '/api/v1/life-events', { body, headers: key });
  assert.equal(retry.status, 201);
  assert.equal(retry.headers['idempotent-replayed'], 'true');
  assert.equal(retry.headers.location, `/api/v1/life-events/${real.body.id}`);
  assert.equal(retry.body.id, real.body.id);
});

test('a family with a new baby moves into a flat: council tax follows them, school and nursery places are offered, garden waste stops', async () => {
  const { ids, household: hh } = await household({ property_type: 'house', floor: 0, has_garden: true, tenure: 'private_rent', council_tax_band: 'D' }, {
    mum: { rel: 'head', body: { given_name: 'Zara', family_name: 'Ahmed', date_of_birth: yearsAgo(33) } },
    dad: { rel: 'partner', body: { given_name: 'Omar', family_name: 'Ahmed', date_of_birth: yearsAgo(35) } },
    tot: { rel: 'child', body: { given_name: 'Layla', family_name: 'Ahmed', date_of_birth: yearsAgo(3, 40) } },
    kid: { rel: 'child', body: { given_name: 'Yusuf', family_name: 'Ahmed', date_of_birth: yearsAgo(6) } },
  });
  // Housing benefit too, though its rule (a proxy: pension age) never held for them: no event stops it.
  for (const s of ['council-tax', 'garden-waste', 'primary-school-place', 'housing-benefit']) await enrol(ids.mum, s);
  const birth = await report({ person_id: ids.mum, type: 'birth', event_date: daysAgo(2), details: { child: { given_name: 'Noor' } } });
  assert.equal(birth.status, 201, birth.text);
  const baby = kinds(birth.body.effects, 'person_created')[0].person_id;
  const bp = await get(`/api/v1/people/${baby}`);
  assert.equal(bp.family_name, 'Ahmed');
  assert.equal(bp.date_of_birth, daysAgo(2));
  assert.equal(bp.household.id, hh);
  assert.ok(kinds(birth.body.effects, 'task').some((t) => t.team === 'education'));
  assert.deepEqual(kinds(birth.body.effects, 'enrolment_ended'), [], 'a birth ends nothing here');

  const flat = await property({ property_type: 'flat', floor: 2, has_garden: false, tenure: 'private_rent', council_tax_band: 'C' });
  const mv = await report({ person_id: ids.mum, type: 'move_within', event_date: today, details: { property_id: flat } });
  assert.equal(mv.status, 201, mv.text);
  const fx = mv.body.effects;
  const p = await get(`/api/v1/people/${baby}`);
  assert.equal(p.property.id, flat, 'the baby moved with them');
  assert.equal(p.household.members.length, 5);
  const nh = p.household.id;
  assert.notEqual(nh, hh);
  // Council tax and the school place go with them; garden waste does not, with the reason.
  const started = kinds(fx, 'enrolment_started').map((e) => e.service).sort();
  assert.ok(started.includes('council-tax') && started.includes('primary-school-place') && started.includes('recycling-collection') && started.includes('housing-benefit'), started.join());
  assert.ok((await current(ids.mum)).includes('housing-benefit'));
  const nc = kinds(fx, 'enrolment_not_carried').find((e) => e.service === 'garden-waste');
  assert.ok(nc && nc.reasons.some((x) => /no garden|floor 2/.test(x)), JSON.stringify(fx));
  assert.ok(!(await current(ids.mum)).includes('garden-waste'));
  // Offered: a nursery place and free early education for the toddler; never garden waste.
  const off = offered(fx);
  for (const s of ['nursery-place', 'free-early-education']) assert.ok(off.includes(s), off.join());
  assert.ok(!off.includes('garden-waste'));
  assert.ok(!off.includes('primary-school-place'), 'they have it already');
  const nursery = kinds(fx, 'offer').find((o) => o.service === 'nursery-place');
  assert.equal(nursery.household_id, nh);
  assert.ok(nursery.reasons.some((x) => /aged 2 to 4/.test(x)), nursery.reasons.join());
  assert.deepEqual(kinds(fx, 'task').map((t) => t.team).sort(), ['parking', 'registration', 'revenues_benefits', 'waste']);
});

test('moving into the borough: a new household with council tax and bins, and what they may have', async () => {
  const flat = await property({ property_type: 'flat', floor: 4, has_garden: false, tenure: 'council_rent', council_tax_band: 'A' });
  const a = (await post('/api/v1/people', { given_name: 'Irena', family_name: 'Novak', date_of_birth: yearsAgo(81), email: `irena${u}@example.org` })).id;
  const r = await report({ person_id: a, type: 'move_in', event_date: daysAgo(5), details: { property_id: flat } });
  assert.equal(r.status, 201, r.text);
  const p = await get(`/api/v1/people/${a}`);
  assert.equal(p.property.id, flat);
  assert.deepEqual(await current(a), ['council-tax', 'recycling-collection']);
  const off = offered(r.body.effects, a);
  for (const s of ['single-person-discount', 'concessionary-travel', 'assisted-bin-collection']) assert.ok(off.includes(s), off.join());
  assert.ok(!off.includes('garden-waste'));
  assert.equal(kinds(r.body.effects, 'notification_queued').length, 1);
  // Someone already housed cannot move in; a missing property is named.
  const again = await report({ person_id: a, type: 'move_in', event_date: daysAgo(1), details: { property_id: flat } });
  assert.equal(again.status, 422);
  assert.equal(again.body.errors[0].field, 'person_id');
  const b = (await post('/api/v1/people', { given_name: 'Tomas', family_name: 'Novak' })).id;
  const bad = await report({ person_id: b, type: 'move_in', event_date: today, details: { property_id: 99999999 } });
  assert.equal(bad.status, 422);
  assert.ok(bad.body.errors.some((e) => e.field === 'details.property_id'), bad.text);
});

test('moving out of the borough: their services end, the council tax passes on, and who is left is offered the discount', async () => {
  const { ids, household: hh } = await household({ property_type: 'flat', floor: 1, tenure: 'private_rent', council_tax_band: 'B' }, {
    a: { rel: 'head', body: { given_name: 'Femi', family_name: 'Bello', date_of_birth: yearsAgo(40) } },
    b: { rel: 'partner', body: { given_name: 'Ruth', family_name: 'Bello', date_of_birth: yearsAgo(39) } },
  });
  for (const s of ['council-tax', 'electoral-register', 'parking-permit-resident']) await enrol(ids.a, s);
  const r = await report({ person_id: ids.a, type: 'move_out', event_date: today, details: { forwarding_address: '1 High St, Leeds' } });
  assert.equal(r.status, 201, r.text);
  const fx = r.body.effects;
  assert.deepEqual(await current(ids.a), []);
  assert.ok(kinds(fx, 'enrolment_ended').some((e) => e.service === 'parking-permit-resident'));
  assert.ok((await current(ids.b)).includes('council-tax') || kinds(fx, 'enrolment_started').some((e) => e.service === 'council-tax' && e.person_id === ids.b));
  assert.ok(offered(fx, ids.b).includes('single-person-discount'), JSON.stringify(fx));
  const p = await get(`/api/v1/people/${ids.a}`);
  assert.equal(p.household, null);
  assert.equal((await get(`/api/v1/households/${hh}`)).members.find((m) => m.person_id === ids.a).to_date, daysAgo(1));
});

test('becoming disabled: the need is recorded once and the help offered, with the need hidden from a parking officer', async () => {
  const { ids } = await household({ property_type: 'flat', floor: 3, tenure: 'council_rent' }, {
    a: { rel: 'head', body: { given_name: 'Kwame', family_name: 'Asante', date_of_birth: yearsAgo(52) } },
  });
  const bad = await report({ person_id: ids.a, type: 'becoming_disabled', event_date: today, details: {} });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.errors[0].field, 'details.accessibility_needs');
  const r = await report({ person_id: ids.a, type: 'becoming_disabled', event_date: today, details: { accessibility_needs: 'cannot manage stairs after a fall' } });
  assert.equal(r.status, 201, r.text);
  assert.equal((await get(`/api/v1/people/${ids.a}`)).accessibility_needs, 'cannot manage stairs after a fall');
  const off = offered(r.body.effects, ids.a);
  for (const s of ['blue-badge', 'disabled-bus-pass', 'home-equipment', 'care-needs-assessment', 'assisted-bin-collection', 'housing-register']) assert.ok(off.includes(s), off.join());
  assert.ok(kinds(r.body.effects, 'task').some((t) => t.team === 'social_care'));
  const seen = await get(`/api/v1/life-events/${r.body.id}`, bearer(tok.parking));
  assert.equal(seen.details.accessibility_needs, undefined);
  assert.equal(kinds(seen.effects, 'person_recorded')[0].new, undefined);
  // The need itself is kept on the person, not in the event's details; effects name people by id.
  assert.equal((await get(`/api/v1/life-events/${r.body.id}`)).details.accessibility_needs, '(on the person\'s record)');
  assert.ok(!JSON.stringify(r.body.effects).includes('Asante'));
  // Erasure leaves the event's type and date, and nothing recorded from them.
  const er = await request(port, 'POST', `/api/v1/people/${ids.a}/erase`, { body: { reason: 'asked' }, headers: bearer(tok.dpo) });
  assert.equal(er.status, 200, er.text);
  const gone = await get(`/api/v1/life-events/${r.body.id}`);
  assert.deepEqual([gone.type, gone.event_date, gone.details, gone.effects], ['becoming_disabled', today, {}, []]);
});

test('becoming a carer: a carer\'s assessment is offered and social care gets a task', async () => {
  const { ids } = await household({ property_type: 'house', floor: 0 }, {
    a: { rel: 'head', body: { given_name: 'Sian', family_name: 'Jones', date_of_birth: yearsAgo(45) } },
    b: { rel: 'parent', body: { given_name: 'Glenys', family_name: 'Jones', date_of_birth: yearsAgo(82), accessibility_needs: 'dementia' } },
  });
  const r = await report({ person_id: ids.a, type: 'becoming_carer', event_date: today, details: { cared_for_id: ids.b } });
  assert.equal(r.status, 201, r.text);
  assert.ok(offered(r.body.effects, ids.a).includes('carers-assessment'));
  assert.deepEqual(kinds(r.body.effects, 'task').map((t) => t.team), ['social_care']);
  const bad = await report({ person_id: ids.a, type: 'becoming_carer', event_date: daysAgo(1), details: { cared_for_id: 99999999, colour: 'red' } });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.body.errors.map((e) => e.field), ['details.colour']);
});

test('marriage: the partner joins the household and the single person discount is re-checked', async () => {
  const { ids, household: hh } = await household({ property_type: 'flat', floor: 1, tenure: 'owner_occupied' }, {
    a: { rel: 'head', body: { given_name: 'Priya', family_name: 'Shah', date_of_birth: yearsAgo(30) } },
  });
  await enrol(ids.a, 'single-person-discount');
  const { ids: other, household: oh } = await household({ property_type: 'flat', floor: 2 }, {
    b: { rel: 'head', body: { given_name: 'Dev', family_name: 'Patel', date_of_birth: yearsAgo(31) } },
    c: { rel: 'sibling', body: { given_name: 'Anil', family_name: 'Patel', date_of_birth: yearsAgo(28) } },
  });
  const r = await report({ person_id: ids.a, type: 'marriage', event_date: today, details: { partner_id: other.b } });
  assert.equal(r.status, 201, r.text);
  const h = await get(`/api/v1/households/${hh}`);
  assert.ok(h.members.some((m) => m.person_id === other.b && m.relationship === 'partner'));
  const spd = kinds(r.body.effects, 'enrolment_ended').find((e) => e.service === 'single-person-discount');
  assert.ok(spd && spd.reasons.some((x) => /2 adults/.test(x)), JSON.stringify(r.body.effects));
  assert.equal((await get(`/api/v1/households/${oh}`)).members.find((m) => m.person_id === other.b).to_date, daysAgo(1));
  const bad = await report({ person_id: ids.a, type: 'marriage', event_date: daysAgo(3), details: {} });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.errors[0].field, 'details.partner_id');
});

test('turning 18: the household is re-checked and the new adult invited to register to vote', async () => {
  const { ids } = await household({ property_type: 'flat', floor: 1, tenure: 'private_rent' }, {
    mum: { rel: 'head', body: { given_name: 'Claire', family_name: 'Dunn', date_of_birth: yearsAgo(45) } },
    son: { rel: 'child', body: { given_name: 'Jake', family_name: 'Dunn', date_of_birth: yearsAgo(18) } },
  });
  await enrol(ids.mum, 'single-person-discount');
  const wrong = await report({ person_id: ids.mum, type: 'turning_18', event_date: today });
  assert.equal(wrong.status, 422);
  assert.equal(wrong.body.errors[0].field, 'event_date');
  const r = await report({ person_id: ids.son, type: 'turning_18', event_date: today });
  assert.equal(r.status, 201, r.text);
  assert.ok(kinds(r.body.effects, 'enrolment_ended').some((e) => e.service === 'single-person-discount'), JSON.stringify(r.body.effects));
  assert.ok(offered(r.body.effects, ids.son).includes('electoral-register'));
  assert.ok(kinds(r.body.effects, 'task').some((t) => t.team === 'registration'));
});

test('reaching pension age: a bus pass and help with rent and council tax', async () => {
  const { ids } = await household({ property_type: 'flat', floor: 0, tenure: 'council_rent', council_tax_band: 'B' }, {
    a: { rel: 'head', body: { given_name: 'Winston', family_name: 'Clarke', date_of_birth: yearsAgo(66, 10) } },
  });
  const r = await report({ person_id: ids.a, type: 'pension_age', event_date: daysAgo(10) });
  assert.equal(r.status, 201, r.text);
  const off = offered(r.body.effects, ids.a);
  for (const s of ['concessionary-travel', 'housing-benefit', 'council-tax-reduction']) assert.ok(off.includes(s), off.join());
  const ct = kinds(r.body.effects, 'offer').find((o) => o.service === 'concessionary-travel');
  assert.ok(ct.reasons.some((x) => /66/.test(x)), ct.reasons.join());
});

test('team tasks: a queue per team, claim, complete, and overdue', async () => {
  const { ids } = await household({ property_type: 'house', floor: 0 }, {
    a: { rel: 'head', body: { given_name: 'Ola', family_name: 'Ade', date_of_birth: yearsAgo(60) } },
  });
  const r = await report({ person_id: ids.a, type: 'becoming_carer', event_date: today });
  assert.equal(r.status, 201, r.text);
  const r2 = await report({ person_id: ids.a, type: 'pension_age', event_date: today });
  assert.equal(r2.status, 422, 'not 66');
  const q = await get('/api/v1/tasks?team=social_care&status=open&limit=1000');
  const t = q.items.find((x) => x.life_event_id === r.body.id);
  assert.ok(t, JSON.stringify(q.items));
  assert.equal(t.overdue, false);
  assert.equal(t.person_id, ids.a);
  // An agent may see the queue but not work it; another team's officer may not touch it.
  assert.equal((await request(port, 'POST', `/api/v1/tasks/${t.id}/claim`)).status, 403);
  assert.equal((await request(port, 'POST', `/api/v1/tasks/${t.id}/claim`, { headers: bearer(tok.revenues) })).status, 403);
  const lead = bearer(tok.team_leader);
  const c1 = await request(port, 'POST', `/api/v1/tasks/${t.id}/claim`, { headers: lead });
  assert.equal(c1.status, 200, c1.text);
  assert.equal(c1.body.status, 'claimed');
  assert.ok(c1.body.claimed_at);
  assert.equal((await request(port, 'POST', `/api/v1/tasks/${t.id}/claim`, { headers: lead })).status, 200, 'claiming it again is harmless');
  assert.equal((await request(port, 'POST', `/api/v1/tasks/${t.id}/claim`, { headers: bearer(tok.admin) })).status, 409);
  // Overdue: past its due date and not done.
  sql(`UPDATE tasks SET due_date = '${daysAgo(3)}' WHERE id = ${t.id}`);
  const od = await get('/api/v1/tasks?team=social_care&overdue=true&limit=1000');
  assert.ok(od.items.some((x) => x.id === t.id && x.overdue), JSON.stringify(od.items));
  assert.ok(od.items.every((x) => x.overdue));
  const badNote = await request(port, 'POST', `/api/v1/tasks/${t.id}/complete`, { body: { note: 5, colour: 'red' }, headers: lead });
  assert.equal(badNote.status, 422);
  assert.deepEqual(badNote.body.errors.map((e) => e.field).sort(), ['colour', 'note']);
  const done = await request(port, 'POST', `/api/v1/tasks/${t.id}/complete`, { body: { note: 'assessment booked' }, headers: lead });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.body.status, 'done');
  assert.equal(done.body.note, 'assessment booked');
  assert.ok(!(await get('/api/v1/tasks?team=social_care&overdue=true&limit=1000')).items.some((x) => x.id === t.id));
  assert.equal((await request(port, 'POST', `/api/v1/tasks/${t.id}/complete`, { body: {}, headers: lead })).status, 409);
  // A back-office officer works their own team's tasks; someone else's claim stands.
  const { ids: j } = await household({ property_type: 'flat', floor: 1 }, { a: { rel: 'head', body: { given_name: 'Ben', family_name: 'Ode', date_of_birth: yearsAgo(30) } } });
  const mv = await report({ person_id: j.a, type: 'move_out', event_date: today });
  const rt = kinds(mv.body.effects, 'task').find((x) => x.team === 'revenues_benefits');
  assert.equal((await request(port, 'POST', `/api/v1/tasks/${rt.task_id}/claim`, { headers: bearer(tok.revenues) })).status, 200);
  const other = await request(port, 'POST', `/api/v1/tasks/${rt.task_id}/complete`, { body: {}, headers: bearer(tok.revenues2) });
  assert.equal(other.status, 409, other.text);
  assert.equal((await request(port, 'POST', `/api/v1/tasks/${rt.task_id}/complete`, { body: {}, headers: bearer(tok.revenues) })).status, 200);
  assert.equal((await request(port, 'GET', '/api/v1/tasks?status=bogus')).status, 400);
  assert.equal((await request(port, 'POST', '/api/v1/tasks/99999999/claim', { headers: lead })).status, 404);
});

test('bad reports are 4xx naming each field, and change nothing', async () => {
  const a = (await post('/api/v1/people', { given_name: 'Val', family_name: 'Ito', date_of_birth: '1990-05-05' })).id;
  const cases = [
    [{}, ['event_date', 'person_id', 'type']],
    [{ person_id: a, type: 'wedding', event_date: today }, ['type']],
    [{ person_id: a, type: 'death', event_date: '2999-01-01' }, ['event_date']],
    [{ person_id: a, type: 'death', event_date: '1980-01-01' }, ['event_date']],
    [{ person_id: a, type: 'death', event_date: 'yesterday' }, ['event_date']],
    [{ person_id: 99999999, type: 'death', event_date: today }, ['person_id']],
    [{ person_id: 'me', type: 'death', event_date: today, colour: 1 }, ['colour', 'person_id']],
    [{ person_id: a, type: 'death', event_date: today, details: [] }, ['details']],
    [{ person_id: a, type: 'death', event_date: today, channel: 'pigeon' }, ['channel']],
    [{ person_id: a, type: 'death', event_date: today, details: { whole_household: true } }, ['details.whole_household']],
    [{ person_id: a, type: 'move_within', event_date: today, details: {} }, ['details.property_id', 'person_id']],
    [{ person_id: a, type: 'birth', event_date: today, details: { child: { given_name: '' } } }, ['details.child.given_name', 'person_id']],
  ];
  for (const [body, fields] of cases) {
    const r = await report(body);
    assert.equal(r.status, 422, JSON.stringify(body) + r.text);
    assert.match(r.headers['content-type'], /application\/problem\+json/);
    assert.deepEqual(r.body.errors.map((e) => e.field).sort(), fields, JSON.stringify(body) + r.text);
  }
  assert.equal((await request(port, 'POST', '/api/v1/life-events?preview=maybe', { body: { person_id: a, type: 'death', event_date: today } })).status, 400);
  assert.equal((await request(port, 'POST', '/api/v1/life-events?colour=red', { body: {} })).status, 400);
  assert.equal((await get(`/api/v1/people/${a}`)).date_of_death, null);
  assert.equal((await request(port, 'GET', '/api/v1/life-events/99999999')).status, 404);
  // A manager may not report one.
  assert.equal((await request(port, 'POST', '/api/v1/life-events', { body: { person_id: a, type: 'death', event_date: today }, headers: bearer(makeToken(srv.db, 'manager')) })).status, 403);
});

test('a bad playbook file stops start-up with the file, line and column', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-le-'));
  for (const f of ['services.txt', 'bank_holidays.txt']) fs.copyFileSync(path.join(__dirname, '../../catalogue', f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'life_events.txt'), '# one mistake\nevent: death\nname: A death\nend: blue-badge potholes\n');
  const r = run(['serve', ...freshDb(), '--catalogue', dir, '--listen', '127.0.0.1:0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /life_events\.txt:4:17: no service has id 'potholes'/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
});

test('a resident tells us once for their own household, and for no one else', async () => {
  const { ids } = await household({ property_type: 'house', floor: 0, has_garden: true }, {
    me: { rel: 'head', body: { given_name: 'Nia', family_name: 'Evans', date_of_birth: yearsAgo(50) } },
    mum: { rel: 'parent', body: { given_name: 'Eirlys', family_name: 'Evans', date_of_birth: yearsAgo(84) } },
  });
  const { ids: other } = await household({ property_type: 'flat', floor: 1 }, { x: { rel: 'head', body: { given_name: 'Rhys', family_name: 'Owen', date_of_birth: yearsAgo(52) } } });
  const email = `nia${u}@example.org`, pw = 'a long resident password';
  makeUser(srv.db, email, 'resident', pw, ['--person', String(ids.me)]);
  const s = await request(port, 'POST', '/api/v1/sessions', { body: { email, password: pw }, auth: false });
  assert.equal(s.status, 201, s.text);
  const h = { Cookie: s.headers['set-cookie'][0].split(';')[0], 'X-CSRF-Token': s.body.csrf_token };
  const as = (body, preview) => request(port, 'POST', `/api/v1/life-events${preview ? '?preview=true' : ''}`, { body, headers: h });
  const pv = await as({ person_id: ids.me, type: 'becoming_carer', event_date: today, details: { cared_for_id: ids.mum } }, true);
  assert.equal(pv.status, 200, pv.text);
  assert.ok(offered(pv.body.effects, ids.me).includes('carers-assessment'));
  const ok = await as({ person_id: ids.me, type: 'becoming_carer', event_date: today, details: { cared_for_id: ids.mum } });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.channel, 'web');
  const mine = await request(port, 'GET', `/api/v1/people/${ids.me}/contacts`, { headers: h });
  assert.ok(mine.body.items.some((c) => c.channel === 'web' && /Becoming a carer/.test(c.reason)), mine.text);
  // Not someone else's household, nor naming someone from it.
  const theirs = await as({ person_id: other.x, type: 'becoming_carer', event_date: today });
  assert.equal(theirs.status, 403, theirs.text);
  assert.equal(theirs.body.errors[0].field, 'person_id');
  const wed = await as({ person_id: ids.me, type: 'marriage', event_date: today, details: { partner_id: other.x } });
  assert.equal(wed.status, 403, wed.text);
  assert.equal(wed.body.errors[0].field, 'details.partner_id');
  assert.equal((await get(`/api/v1/people/${other.x}`)).household.members.length, 1);
  // Without the CSRF token, nothing.
  assert.equal((await request(port, 'POST', '/api/v1/life-events', { body: { person_id: ids.me, type: 'becoming_carer', event_date: daysAgo(1) }, headers: { Cookie: h.Cookie } })).status, 403);
  // Reversing and the task queues are for staff.
  assert.equal((await request(port, 'POST', `/api/v1/life-events/${ok.body.id}/reverse`, { body: { reason: 'oops' }, headers: h })).status, 403);
  assert.equal((await request(port, 'GET', '/api/v1/tasks', { headers: h })).status, 403);
});

test('moves of part or all of a household: leaving home alone, arriving together, a whole household leaving the borough', async () => {
  const { ids, household: hh } = await household({ property_type: 'house', floor: 0, has_garden: true, tenure: 'owner_occupied' }, {
    mum: { rel: 'head', body: { given_name: 'Joy', family_name: 'Reid', date_of_birth: yearsAgo(52) } },
    son: { rel: 'child', body: { given_name: 'Cal', family_name: 'Reid', date_of_birth: yearsAgo(22) } },
  });
  for (const s of ['council-tax', 'garden-waste']) await enrol(ids.mum, s);
  // The son leaves home for a flat in the borough: his own council tax; his mother may now live alone.
  const flat = await property({ property_type: 'flat', floor: 5, has_garden: false, tenure: 'private_rent' });
  const alone = await report({ person_id: ids.son, type: 'move_within', event_date: today, details: { property_id: flat, whole_household: false } });
  assert.equal(alone.status, 201, alone.text);
  const fx = alone.body.effects;
  const ct = kinds(fx, 'enrolment_started').find((e) => e.service === 'council-tax');
  assert.equal(ct.person_id, ids.son);
  assert.notEqual(ct.household_id, hh);
  assert.ok(offered(fx, ids.mum).includes('single-person-discount'), JSON.stringify(fx));
  assert.deepEqual(await current(ids.mum), ['council-tax', 'garden-waste'], 'what the household at home had carries on');
  assert.equal((await get(`/api/v1/households/${hh}`)).members.find((m) => m.person_id === ids.son).to_date, daysAgo(1));
  // A couple arrive together.
  const home = await property({ property_type: 'house', floor: 0, has_garden: true, tenure: 'owner_occupied' });
  const a = (await post('/api/v1/people', { given_name: 'Lars', family_name: 'Berg', date_of_birth: yearsAgo(40) })).id;
  const b = (await post('/api/v1/people', { given_name: 'Ingrid', family_name: 'Berg', date_of_birth: yearsAgo(38) })).id;
  const inn = await report({ person_id: a, type: 'move_in', event_date: daysAgo(10), details: { property_id: home, members: [{ person_id: b, relationship: 'partner' }] } });
  assert.equal(inn.status, 201, inn.text);
  const nh = (await get(`/api/v1/people/${b}`)).household;
  assert.equal(nh.members.length, 2);
  assert.ok(offered(inn.body.effects).includes('garden-waste'));
  assert.ok(!offered(inn.body.effects).includes('single-person-discount'));
  await enrol(a, 'garden-waste');
  // Then they leave the borough together: every household service ends.
  const out = await report({ person_id: b, type: 'move_out', event_date: today, details: { whole_household: true } });
  assert.equal(out.status, 201, out.text);
  const ended = kinds(out.body.effects, 'enrolment_ended').map((e) => e.service).sort();
  assert.deepEqual(ended, ['council-tax', 'garden-waste', 'recycling-collection']);
  assert.equal((await get(`/api/v1/people/${a}`)).household, null);
  assert.equal((await get(`/api/v1/people/${b}`)).household, null);
  assert.deepEqual(kinds(out.body.effects, 'offer'), [], 'no one is left to offer anything to');
});
