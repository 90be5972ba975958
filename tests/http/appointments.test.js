// appointments.test.js: slots from catalogue/locations.txt, booking, moving
// and cancelling, never over capacity even when bookings race, and the
// confirmation and reminder queued in the outbox.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const { finishServer, serve, request } = require('./helpers');

let srv, port;
// The PostgreSQL test database is shared by every run: each run looks for
// free slots on days of its own, some weeks ahead.
const offset = crypto.randomInt(20, 75);

// One value from the server's database (SQLite file or PostgreSQL URL).
function sql(query) {
  const [flag, target] = srv.db;
  const r = flag === '--pg'
    ? spawnSync('psql', ['-At', '-c', query, target], { encoding: 'utf8' })
    : spawnSync('sqlite3', [target, query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function day(n) {
  return new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
}

async function person(name) {
  const r = await request(port, 'POST', '/api/v1/people', { body: { given_name: name, family_name: 'Adeyemi', email: `${name.toLowerCase()}@example.org` } });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

// Free slots (nobody booked) for service at location, some weeks ahead.
async function freeSlots(service, location, from = offset) {
  const r = await request(port, 'GET', `/api/v1/appointments/slots?service=${service}&location=${location}&from=${day(from)}&to=${day(from + 13)}`);
  assert.equal(r.status, 200, r.text);
  return r.body.slots.filter((s) => s.booked === 0);
}

test.before(async () => ({ srv, port } = await serve(['--access-log', 'off', '--threads', '4'])));
test.after(() => finishServer(srv));

test('slots follow the opening hours, the slot length and the capacity', async () => {
  const r = await request(port, 'GET', `/api/v1/appointments/slots?service=council-tax-account&location=peckham&from=${day(offset)}&to=${day(offset + 6)}`, { auth: false });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.service, 'council-tax-account');
  const slots = r.body.slots;
  assert.ok(slots.length > 100);
  for (const s of slots) {
    assert.equal(s.location, 'peckham');
    assert.equal(s.capacity, 3);
    assert.equal(s.available, s.capacity - s.booked);
    assert.match(s.starts_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
    const wd = new Date(s.starts_at.slice(0, 10) + 'T12:00:00Z').getUTCDay();
    assert.notEqual(wd, 0, 'closed on Sundays');
    const start = Number(s.starts_at.slice(11, 13)) * 60 + Number(s.starts_at.slice(14, 16));
    const end = Number(s.ends_at.slice(11, 13)) * 60 + Number(s.ends_at.slice(14, 16));
    assert.equal(end - start, 15);
    assert.ok(start >= (wd === 6 ? 600 : 540) && end <= (wd === 6 ? 780 : wd === 4 ? 1140 : 1020), s.starts_at);
  }
  // Every location that sees the service, when none is named.
  const all = await request(port, 'GET', `/api/v1/appointments/slots?service=concessionary-travel&from=${day(offset)}&to=${day(offset + 6)}`);
  assert.deepEqual([...new Set(all.body.slots.map((s) => s.location))].sort(), ['bermondsey', 'walworth']);
});

test('bad slot queries are 400 naming the parameter', async () => {
  for (const [qs, name] of [
    ['location=peckham', 'service'], ['service=nope', 'service'], ['service=missed-bin', 'service'],
    ['service=blue-badge&location=atlantis', 'location'], ['service=parking-permit-resident&location=peckham', 'location'],
    ['service=blue-badge&from=tomorrow', 'from'], ['service=blue-badge&to=2026-02-30', 'to'],
    [`service=blue-badge&from=${day(10)}&to=${day(5)}`, 'from'], [`service=blue-badge&from=${day(1)}&to=${day(200)}`, 'to'],
  ]) {
    const r = await request(port, 'GET', `/api/v1/appointments/slots?${qs}`);
    assert.equal(r.status, 400, qs + r.text);
    assert.ok(r.body.errors.some((e) => e.field === name), qs + r.text);
  }
});

test('book, move and cancel, with the confirmation and reminder in the outbox', async () => {
  const pid = await person('Tola');
  const [first, , other] = await freeSlots('housing-benefit', 'walworth');
  const b = await request(port, 'POST', '/api/v1/appointments', { body: { person_id: pid, service: 'housing-benefit', location: 'walworth', starts_at: first.starts_at, note: 'bring payslips' } });
  assert.equal(b.status, 201, b.text);
  const a = b.body;
  assert.equal(a.status, 'booked');
  assert.equal(a.seat, 1);
  assert.equal(a.ends_at, first.ends_at);
  assert.match(b.headers.location, new RegExp(`/api/v1/appointments/${a.id}$`));
  assert.ok(a.reminder_id > 0);
  const msgs = sql(`SELECT subject || '|' || status || '|' || next_attempt_at || '|' || recipient FROM notifications WHERE about = 'appointment' AND about_id = ${a.id} ORDER BY id`).split('\n');
  assert.equal(msgs.length, 2, msgs.join('\n'));
  assert.match(msgs[0], /^Your appointment is booked\|queued\|.*\|tola@example\.org$/);
  const dayBefore = new Date(Date.parse(first.starts_at.slice(0, 10) + 'T00:00:00Z') - 86400000).toISOString().slice(0, 10);
  assert.equal(msgs[1], `Appointment reminder|queued|${dayBefore}T09:00:00Z|tola@example.org`);
  const after = (await freeSlots('housing-benefit', 'walworth')).find((s) => s.starts_at === first.starts_at);
  assert.equal(after, undefined, 'no longer empty');
  const got = await request(port, 'GET', `/api/v1/appointments/${a.id}`);
  assert.equal(got.body.note, 'bring payslips');
  const mine = await request(port, 'GET', `/api/v1/people/${pid}/appointments`);
  assert.deepEqual(mine.body.items.map((x) => x.id), [a.id]);

  // Move: the reminder follows.
  const mv = await request(port, 'POST', `/api/v1/appointments/${a.id}/move`, { body: { starts_at: other.starts_at } });
  assert.equal(mv.status, 200, mv.text);
  assert.equal(mv.body.starts_at, other.starts_at);
  assert.equal(mv.body.ends_at, other.ends_at);
  const dayBefore2 = new Date(Date.parse(other.starts_at.slice(0, 10) + 'T00:00:00Z') - 86400000).toISOString().slice(0, 10);
  assert.equal(sql(`SELECT next_attempt_at FROM notifications WHERE id = ${a.reminder_id}`), `${dayBefore2}T09:00:00Z`);
  assert.match(sql(`SELECT body FROM notifications WHERE id = ${a.reminder_id}`), new RegExp(Number(other.starts_at.slice(8, 10)) + ' '));
  const slotNow = (await request(port, 'GET', `/api/v1/appointments/slots?service=housing-benefit&location=walworth&from=${first.starts_at.slice(0, 10)}&to=${first.starts_at.slice(0, 10)}`)).body.slots;
  assert.equal(slotNow.find((s) => s.starts_at === first.starts_at).booked, 0, 'the old place is free again');
  const same = await request(port, 'POST', `/api/v1/appointments/${a.id}/move`, { body: { starts_at: other.starts_at } });
  assert.equal(same.status, 422);

  // Cancel: the place is freed and the reminder withdrawn.
  const cx = await request(port, 'POST', `/api/v1/appointments/${a.id}/cancel`, { body: { reason: 'found the letter' } });
  assert.equal(cx.status, 200, cx.text);
  assert.equal(cx.body.status, 'cancelled');
  assert.equal(cx.body.seat, null);
  assert.equal(cx.body.cancel_reason, 'found the letter');
  assert.equal(sql(`SELECT status FROM notifications WHERE id = ${a.reminder_id}`), 'failed');
  assert.equal(sql(`SELECT count(*) FROM notifications WHERE about = 'appointment' AND about_id = ${a.id} AND subject = 'Your appointment is cancelled'`), '1');
  assert.equal((await request(port, 'POST', `/api/v1/appointments/${a.id}/cancel`, { body: {} })).status, 409);
  assert.equal((await request(port, 'POST', `/api/v1/appointments/${a.id}/move`, { body: { starts_at: first.starts_at } })).status, 409);
});

test('a booking that is not a slot is 422 naming the field, and books nothing', async () => {
  const pid = await person('Femi');
  const [s] = await freeSlots('blue-badge', 'peckham');
  const at = s.starts_at;
  const sunday = (() => { for (let n = offset; ; n++) if (new Date(day(n) + 'T12:00:00Z').getUTCDay() === 0) return day(n); })();
  for (const [body, field] of [
    [{ service: 'blue-badge', location: 'peckham', starts_at: at }, 'person_id'],
    [{ person_id: pid, service: 'blue-badge', location: 'peckham', starts_at: at.slice(0, 14) + '05' }, 'starts_at'],
    [{ person_id: pid, service: 'blue-badge', location: 'peckham', starts_at: `${sunday}T10:00` }, 'starts_at'],
    [{ person_id: pid, service: 'blue-badge', location: 'peckham', starts_at: `${day(offset)}T07:00` }, 'starts_at'],
    [{ person_id: pid, service: 'blue-badge', location: 'peckham', starts_at: '2020-01-06T10:00' }, 'starts_at'],
    [{ person_id: pid, service: 'blue-badge', location: 'peckham', starts_at: 'soon' }, 'starts_at'],
    [{ person_id: pid, service: 'blue-badge', location: 'walworth', starts_at: at }, 'location'],
    [{ person_id: pid, service: 'blue-badge', location: 'atlantis', starts_at: at }, 'location'],
    [{ person_id: 999999999, service: 'blue-badge', location: 'peckham', starts_at: at }, 'person_id'],
    [{ person_id: pid, service: 'blue-badge', location: 'peckham', starts_at: at, status: 'cancelled' }, 'status'],
    [{ person_id: pid, service: 'blue-badge', location: 'peckham', starts_at: at, seat: 2 }, 'seat'],
  ]) {
    const r = await request(port, 'POST', '/api/v1/appointments', { body });
    assert.equal(r.status, 422, JSON.stringify(body) + r.text);
    assert.ok(r.body.errors.some((e) => e.field === field), JSON.stringify(body) + r.text);
  }
  assert.equal(sql(`SELECT count(*) FROM appointments WHERE person_id = ${pid}`), '0');
  const mv = await request(port, 'POST', '/api/v1/appointments/999999999/move', { body: { starts_at: at } });
  assert.equal(mv.status, 404);
});

test('twenty bookings racing for a slot of three: exactly three get it', async () => {
  const slot = (await freeSlots('council-tax-account', 'peckham')).find((s) => s.capacity === 3);
  const people = [];
  for (let i = 0; i < 20; i++) people.push(await person(`Racer${i}`));
  const answers = await Promise.all(people.map((pid) => request(port, 'POST', '/api/v1/appointments', {
    body: { person_id: pid, service: 'council-tax-account', location: 'peckham', starts_at: slot.starts_at },
  })));
  const ok = answers.filter((r) => r.status === 201), full = answers.filter((r) => r.status === 409);
  assert.equal(ok.length, 3, answers.map((r) => r.status + ' ' + r.text).join('\n'));
  assert.equal(full.length, 17);
  assert.ok(full.every((r) => r.body.title === 'Slot full'));
  assert.deepEqual(ok.map((r) => r.body.seat).sort(), [1, 2, 3]);
  assert.equal(sql(`SELECT count(*) FROM appointments WHERE location = 'peckham' AND service = 'council-tax-account' AND starts_at = '${slot.starts_at}' AND seat IS NOT NULL`), '3');
  const after = (await request(port, 'GET', `/api/v1/appointments/slots?service=council-tax-account&location=peckham&from=${slot.starts_at.slice(0, 10)}&to=${slot.starts_at.slice(0, 10)}`)).body.slots;
  const mine = after.find((s) => s.starts_at === slot.starts_at);
  assert.equal(mine.booked, 3);
  assert.equal(mine.available, 0);
  // A move into the full slot is refused too; a cancel frees a place for it.
  const extra = await request(port, 'POST', '/api/v1/appointments', { body: { person_id: people[0], service: 'council-tax-account', location: 'peckham', starts_at: (await freeSlots('council-tax-account', 'peckham'))[0].starts_at } });
  assert.equal(extra.status, 201, extra.text);
  const into = await request(port, 'POST', `/api/v1/appointments/${extra.body.id}/move`, { body: { starts_at: slot.starts_at } });
  assert.equal(into.status, 409, into.text);
  assert.equal((await request(port, 'POST', `/api/v1/appointments/${ok[0].body.id}/cancel`, { body: {} })).status, 200);
  const again = await request(port, 'POST', `/api/v1/appointments/${extra.body.id}/move`, { body: { starts_at: slot.starts_at } });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.seat, ok[0].body.seat);
});

test('a resident books for themselves only', async () => {
  const { makeUser } = require('./helpers');
  const pid = await person('Ngozi'), other = await person('Ola');
  const email = `ngozi-${crypto.randomInt(1e9)}@example.org`;
  makeUser(srv.db, email, 'resident', 'a long enough password', ['--person', String(pid)]);
  const signIn = await request(port, 'POST', '/api/v1/sessions', { body: { email, password: 'a long enough password' }, auth: false });
  assert.equal(signIn.status, 201, signIn.text);
  const cookie = signIn.headers['set-cookie'].map((c) => c.split(';')[0]).join('; ');
  const csrf = (await request(port, 'GET', '/api/v1/sessions/current', { headers: { Cookie: cookie } })).body.csrf_token;
  const [s] = await freeSlots('blue-badge', 'bermondsey');
  const h = { Cookie: cookie, 'X-CSRF-Token': csrf };
  const forOther = await request(port, 'POST', '/api/v1/appointments', { headers: h, body: { person_id: other, service: 'blue-badge', location: 'bermondsey', starts_at: s.starts_at } });
  assert.equal(forOther.status, 403, forOther.text);
  const own = await request(port, 'POST', '/api/v1/appointments', { headers: h, body: { person_id: pid, service: 'blue-badge', location: 'bermondsey', starts_at: s.starts_at } });
  assert.equal(own.status, 201, own.text);
});
