// outbox.test.js: residents are kept informed. Every request, status change
// and public note queues a message in the outbox, in the change's own
// transaction; the sender delivers email to a real SMTP server (Debian's
// python3-aiosmtpd on 127.0.0.1) and SMS to a local GOV.UK
// Notify-compatible receiver, retries with backoff, gives up after N
// attempts, spools letters for printing, and loses nothing across a restart.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { startServer, stopServer, request, makeToken, setDefaultToken, freePort, startSink } = require('./helpers');

const SERVICE_ID = '26785a09-ab16-4eb0-8407-a37497a57506';
const SECRET = '3d844edf-8d35-48ac-975b-e847b4f122b0';
const NOTIFY_KEY = `frontdoor_test-${SERVICE_ID}-${SECRET}`;
const TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a';
process.env.FD_NOTIFY_API_KEY = NOTIFY_KEY;

function stopSink(child) {
  return new Promise((resolve) => { child.removeAllListeners('exit'); child.on('exit', resolve); child.stdin.end(); });
}

// A Notify-compatible receiver: checks the JWT like Notify does, answers
// 201 with an id; numbers ending 555 fail once (500), ending 999 always.
function verifyJwt(authz) {
  const m = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(authz || '');
  if (!m) return 'no bearer JWT';
  const sig = crypto.createHmac('sha256', SECRET).update(`${m[1]}.${m[2]}`).digest('base64url');
  if (sig !== m[3]) return 'bad signature';
  const head = JSON.parse(Buffer.from(m[1], 'base64url'));
  const claims = JSON.parse(Buffer.from(m[2], 'base64url'));
  if (head.alg !== 'HS256' || claims.iss !== SERVICE_ID) return 'wrong iss or alg';
  if (Math.abs(Date.now() / 1000 - claims.iat) > 30) return 'stale iat';
  return null;
}
function startNotify() {
  return new Promise((resolve) => {
    const seen = new Map();
    const sms = [];
    const srv = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        const reply = (code, obj) => { res.writeHead(code, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(obj)); };
        if (req.method !== 'POST' || req.url !== '/v2/notifications/sms') return reply(404, { errors: [{ error: 'NotFound', message: req.url }] });
        const why = verifyJwt(req.headers.authorization);
        if (why) return reply(403, { status_code: 403, errors: [{ error: 'AuthError', message: why }] });
        const b = JSON.parse(body);
        const n = (seen.get(b.phone_number) || 0) + 1;
        seen.set(b.phone_number, n);
        if (/999$/.test(b.phone_number) || (/555$/.test(b.phone_number) && n === 1))
          return reply(500, { status_code: 500, errors: [{ error: 'Exception', message: 'Internal server error' }] });
        const id = crypto.randomUUID();
        sms.push({ ...b, id });
        reply(201, { id, reference: b.reference, content: { body: b.personalisation.body, from_number: 'COUNCIL' }, template: { id: b.template_id, version: 1 } });
      });
    });
    srv.sms = sms;
    srv.attempts = seen;
    srv.listen(0, '127.0.0.1', () => { srv.port = srv.address().port; resolve(srv); });
  });
}

async function until(what, fn, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const uniq = () => `${Date.now()}${Math.floor(Math.random() * 1e6)}`;

let sink, notify, srv, port, letters, smtpPort;
function senderArgs(smtp) {
  return ['--access-log', 'off', '--smtp', `smtp://127.0.0.1:${smtp}`, '--mail-from', 'council@frontdoor.test',
    '--notify-url', `http://127.0.0.1:${notify.port}`, '--notify-template', TEMPLATE, '--letters', letters,
    '--outbox-every', '1', '--outbox-backoff', '1', '--outbox-attempts', '3'];
}
test.before(async () => {
  smtpPort = await freePort();
  sink = await startSink(smtpPort, 1); // the first message is refused once: a retry
  notify = await startNotify();
  letters = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-letters-'));
  srv = await startServer(senderArgs(smtpPort));
  port = srv.port;
  setDefaultToken(makeToken(srv.db, 'team_leader'));
});
test.after(async () => {
  if (srv) assert.equal(await stopServer(srv), 0, srv.output().err);
  await stopSink(sink);
  notify.close();
});

const person = async (body) => {
  const r = await request(port, 'POST', '/api/v1/people', { body: { given_name: 'Ada', family_name: 'Okafor', ...body } });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
};
const notes = async (rid) => {
  const r = await request(port, 'GET', `/api/v1/requests/${rid}/notifications?limit=1000`);
  assert.equal(r.status, 200, r.text);
  return r.body.items;
};
const mailsTo = (addr) => sink.msgs.filter((m) => m.to.includes(addr));

test('a request, each status change and each public note reach the resident by email; internal notes do not', async () => {
  const email = `ada${uniq()}@example.org`;
  const pid = await person({ email, preferred_channel: 'email' });
  const r = await request(port, 'POST', '/api/v1/requests', { body: { service: 'missed-bin', person_id: pid, description: 'Bin not emptied' } });
  assert.equal(r.status, 201, r.text);
  const rid = r.body.id;
  const ack = await until('the acknowledgement', () => mailsTo(email)[0]);
  assert.match(ack.data, /Subject: We have your request: .*\(reference \d+\)/);
  assert.match(ack.data, new RegExp(`We will deal with it by \\w+day \\d+ \\w+ ${r.body.promised_date.slice(0, 4)}`));
  assert.match(ack.data, /From: council@frontdoor\.test/);
  assert.equal(ack.from, 'council@frontdoor.test');
  const steps = [
    { kind: 'status_change', status: 'in_progress' },
    { kind: 'internal_note', text: 'crew 4, the driver is new' },
    { kind: 'status_change', status: 'waiting', text: 'A car blocks the bin store' },
    { kind: 'public_note', text: 'We will come back on Tuesday.' },
    { kind: 'status_change', status: 'resolved', text: 'Emptied' },
    { kind: 'status_change', status: 'closed', text: 'Done' },
  ];
  for (const body of steps) assert.equal((await request(port, 'POST', `/api/v1/requests/${rid}/updates`, { body })).status, 201);
  const mails = await until('six emails', () => mailsTo(email).length >= 6 && mailsTo(email));
  await new Promise((res) => setTimeout(res, 1500));
  assert.equal(mailsTo(email).length, 6, 'the internal note sent nothing');
  const text = mails.map((m) => m.data).join('\n');
  assert.doesNotMatch(text, /crew 4/);
  for (const want of [/We are working on it/, /on hold[\s\S]*A car blocks the bin store/, /come back on Tuesday/, /dealt with[\s\S]*Emptied/, /It is closed/])
    assert.match(text, want);
  // The outbox records each delivery.
  const ns = await until('all sent', async () => { const n = await notes(rid); return n.length === 6 && n.every((x) => x.status === 'sent') && n; });
  for (const n of ns) {
    assert.equal(n.channel, 'email');
    assert.equal(n.recipient, email);
    assert.match(n.sent_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(n.provider_ref, /^<notification-\d+-\d+@frontdoor\.test>$/);
    assert.equal(n.person_id, pid);
  }
  const pn = await request(port, 'GET', `/api/v1/people/${pid}/notifications`);
  assert.equal(pn.status, 200);
  assert.deepEqual(pn.body.items.map((n) => n.id), ns.map((n) => n.id));
});

test('the first refusal (451) is retried and the message still goes', async () => {
  // The sink refused the very first message it was given: some message in
  // this run took two attempts and carries no error now.
  const all = await request(port, 'GET', '/api/v1/notifications?status=sent&limit=1000');
  assert.equal(all.status, 200);
  assert.ok(all.body.items.some((n) => n.channel === 'email' && n.attempts >= 2 && n.last_error === null), JSON.stringify(all.body.items.map((n) => [n.id, n.attempts])));
});

test('SMS through the Notify API with a signed key; a 500 is retried with backoff', async () => {
  const phone = `07700 9${String(uniq()).slice(-2)}555`;
  const pid = await person({ phone, preferred_channel: 'sms' });
  const r = await request(port, 'POST', '/api/v1/requests', { body: { service: 'pothole', person_id: pid, address: '1 Elm Road', description: 'Deep hole' } });
  assert.equal(r.status, 201, r.text);
  const n = await until('the SMS sent', async () => { const x = (await notes(r.body.id))[0]; return x && x.status === 'sent' && x; });
  assert.equal(n.channel, 'sms');
  assert.equal(n.attempts, 2, 'one failure, then success');
  assert.equal(notify.attempts.get(phone), 2);
  const got = notify.sms.find((s) => s.phone_number === phone);
  assert.equal(got.template_id, TEMPLATE);
  assert.match(got.personalisation.body, /We will deal with it by/);
  assert.equal(got.reference, `notification-${n.id}`);
  assert.equal(n.provider_ref, got.id);
});

test('after the last attempt a message is marked failed, with the error', async () => {
  const phone = `07700 9${String(uniq()).slice(-2)}999`;
  const pid = await person({ phone });
  const r = await request(port, 'POST', '/api/v1/requests', { body: { service: 'pothole', person_id: pid, address: '2 Elm Road', description: 'Another hole' } });
  const n = await until('the SMS failed', async () => { const x = (await notes(r.body.id))[0]; return x && x.status === 'failed' && x; });
  assert.equal(n.attempts, 3);
  assert.match(n.last_error, /HTTP 500: Internal server error/);
  assert.equal(n.sent_at, null);
  assert.equal(notify.attempts.get(phone), 3);
  const failed = await request(port, 'GET', '/api/v1/notifications?status=failed&limit=1000');
  assert.ok(failed.body.items.some((x) => x.id === n.id));
  assert.equal((await request(port, 'GET', '/api/v1/notifications?status=lost')).status, 400);
});

test('a reporter who is not a known person is told by the email they left', async () => {
  const email = `anon${uniq()}@example.net`;
  const r = await request(port, 'POST', '/api/v1/requests', { body: { service: 'pothole', address: 'Acre Lane', description: 'Hole', contact_email: email, contact_name: 'Sam' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.contact_email, email);
  const m = await until('the email', () => mailsTo(email)[0]);
  assert.match(m.data, /We have your request/);
  const bad = await request(port, 'POST', '/api/v1/requests', { body: { service: 'pothole', address: 'Acre Lane', description: 'Hole', contact_email: 'not an email' } });
  assert.equal(bad.status, 422);
  assert.ok(bad.body.errors.some((e) => e.field === 'contact_email'));
});

test('an address the SMTP server refuses for good (550) fails at once', async () => {
  const email = `bounce${uniq()}@example.org`;
  const r = await request(port, 'POST', '/api/v1/requests', { body: { service: 'pothole', address: 'Acre Lane', description: 'Hole', contact_email: email } });
  assert.equal(r.status, 201, r.text);
  const n = await until('the email failed', async () => { const x = (await notes(r.body.id))[0]; return x && x.status === 'failed' && x; });
  assert.equal(n.attempts, 1);
  assert.match(n.last_error, /550/);
});

test('a letter goes to the print spool for a resident who prefers post', async () => {
  const pid = await person({ preferred_channel: 'post', given_name: 'Leo' });
  const uprn = String(Date.now()).slice(-9);
  const prop = await request(port, 'POST', '/api/v1/properties', { body: { uprn, address_line_1: '7 Rye Lane', town: 'London', postcode: 'SE15 5EW', property_type: 'house' } });
  assert.equal(prop.status, 201, prop.text);
  const hh = await request(port, 'POST', '/api/v1/households', { body: { property_id: prop.body.id, members: [{ person_id: pid, relationship: 'head' }] } });
  assert.equal(hh.status, 201, hh.text);
  const r = await request(port, 'POST', '/api/v1/requests', { body: { service: 'pothole', person_id: pid, description: 'Hole outside' } });
  const n = await until('the letter spooled', async () => { const x = (await notes(r.body.id))[0]; return x && x.status === 'sent' && x; });
  assert.equal(n.channel, 'letter');
  assert.match(n.recipient, /7 Rye Lane, London, SE15 5EW/);
  const file = path.join(letters, n.provider_ref.replace(/^print:/, ''));
  const text = fs.readFileSync(file, 'utf8');
  assert.match(text, /^7 Rye Lane, London, SE15 5EW\n/);
  assert.match(text, /We will deal with it by/);
});

test('a resident is told once, before the date passes, that their request will be late', async () => {
  const email = `slip${uniq()}@example.org`;
  const pid = await person({ email });
  const mk = async (status) => {
    const r = await request(port, 'POST', '/api/v1/requests', { body: { service: 'pothole', person_id: pid, address: '3 Elm Road', description: 'Hole' } });
    if (status) await request(port, 'POST', `/api/v1/requests/${r.body.id}/updates`, { body: { kind: 'status_change', status, text: 'why' } });
    return r.body;
  };
  const untouched = await mk(null), working = await mk('in_progress'), waiting = await mk('waiting');
  const pd = untouched.promised_date;
  const dayAfter = new Date(Date.parse(pd + 'T00:00:00Z') + 86400000).toISOString().slice(0, 10);
  const slip = (as_of) => request(port, 'POST', '/api/v1/requests/slip-warnings', { body: as_of ? { as_of } : {} });
  // Today nothing is near its date.
  const now = await slip();
  assert.equal(now.status, 200, now.text);
  assert.ok(![untouched.id, working.id, waiting.id].some((id) => now.body.requests.includes(id)));
  // On the promised day, one not started and one on hold will slip; one in progress may not.
  const due = await slip(pd);
  assert.deepEqual([untouched.id, working.id, waiting.id].filter((id) => due.body.requests.includes(id)), [untouched.id, waiting.id]);
  // Never twice.
  const again = await slip(pd);
  assert.ok(![untouched.id, waiting.id].some((id) => again.body.requests.includes(id)));
  // Once the date has passed, the one in progress is late too.
  const late = await slip(dayAfter);
  assert.ok(late.body.requests.includes(working.id));
  assert.ok(![untouched.id, waiting.id].some((id) => late.body.requests.includes(id)));
  for (const r of [untouched, working, waiting]) {
    const ns = (await notes(r.id)).filter((n) => /will be late/.test(n.subject));
    assert.equal(ns.length, 1, `request ${r.id}: one warning`);
    assert.match(ns[0].body, r.id === working.id ? /was not dealt with by/ : /will not be dealt with by/);
    const g = await request(port, 'GET', `/api/v1/requests/${r.id}`);
    assert.match(g.body.slip_warned_at, /^\d{4}-/);
    assert.equal(g.body.overdue, false);
  }
  await until('the warnings emailed', () => mailsTo(email).filter((m) => /will be late/.test(m.data)).length === 3);
  for (const [body, code] of [[{ as_of: '2001-01-01' }, 422], [{ as_of: 'soon' }, 422], [{ when: pd }, 422]])
    assert.equal((await request(port, 'POST', '/api/v1/requests/slip-warnings', { body })).status, code);
  const agent = makeToken(srv.db, 'agent');
  assert.equal((await request(port, 'POST', '/api/v1/requests/slip-warnings', { body: {}, headers: { Authorization: 'Bearer ' + agent } })).status, 403);
});

test('subject access lists the messages; erasure blanks them and stops any not yet sent', async () => {
  const phone = `07700 9${String(uniq()).slice(-2)}999`; // the receiver always fails it: it waits to be retried
  const pid = await person({ phone, given_name: 'Erin' });
  const r = await request(port, 'POST', '/api/v1/requests', { body: { service: 'pothole', person_id: pid, address: '4 Elm Road', description: 'Hole' } });
  assert.equal(r.status, 201);
  const dpo = { Authorization: 'Bearer ' + makeToken(srv.db, 'dpo') };
  const ex = await request(port, 'GET', `/api/v1/people/${pid}/export`, { headers: dpo });
  assert.equal(ex.status, 200, ex.text);
  assert.equal(ex.body.messages.length, 1);
  assert.equal(ex.body.messages[0].recipient, phone);
  let e;
  for (let i = 0; i < 20; i++) { // the sender may be updating the message at this moment: 409, try again
    e = await request(port, 'POST', `/api/v1/people/${pid}/erase`, { headers: dpo, body: { reason: 'asked' } });
    if (e.status !== 409) break;
  }
  assert.equal(e.status, 200, e.text);
  const atErasure = notify.attempts.get(phone) || 0;
  const n = (await notes(r.body.id))[0];
  assert.equal(n.recipient, '[erased]');
  assert.equal(n.body, '[erased]');
  assert.equal(n.status, 'failed');
  assert.match(n.last_error, /erased|HTTP 500/); // erased while queued (or, on a slow machine, already given up)
  // A send the sender had already begun when the erasure committed may
  // still reach the provider (it read the person just before), and on a
  // busy machine it may land seconds later; the sender sends one message at
  // a time and checks the person before each attempt, so at most that one
  // lands after the erasure, and no retry follows.
  for (const wait of [1000, 2500]) {
    await new Promise((res) => setTimeout(res, wait));
    assert.ok((notify.attempts.get(phone) || 0) <= atErasure + 1, 'no attempt after the erasure but one already under way');
  }
});

test('two servers sharing the database send each message once', async () => {
  const second = await startServer(senderArgs(smtpPort), srv.db);
  try {
    const email = `pair${uniq()}@example.org`;
    const made = [];
    for (let i = 0; i < 12; i++) {
      const r = await request(i % 2 ? second.port : port, 'POST', '/api/v1/requests', { body: { service: 'pothole', address: `${i} Pair Road`, description: 'Hole', contact_email: email } });
      assert.equal(r.status, 201, r.text);
      made.push(r.body.id);
    }
    await until('twelve emails', async () => {
      const ns = await Promise.all(made.map(notes));
      return ns.every((n) => n.length === 1 && n[0].status === 'sent');
    });
    await new Promise((res) => setTimeout(res, 2500)); // a duplicate would arrive meanwhile
    const got = mailsTo(email);
    assert.equal(got.length, 12, 'each message exactly once');
    assert.equal(new Set(got.map((m) => /Message-ID: (\S+)/.exec(m.data)[1])).size, 12);
  } finally {
    assert.equal(await stopServer(second), 0, second.output().err);
  }
});

test('the outbox survives a restart: messages queued while SMTP is down go out after it', async () => {
  // Stop the shared server; run one on the same database whose SMTP server is down.
  assert.equal(await stopServer(srv), 0, srv.output().err);
  srv = null;
  const downPort = await freePort();
  const a = await startServer(senderArgs(downPort));
  const dbArgs = a.db; // the restart uses the same database
  const email = `restart${uniq()}@example.org`;
  const mk = async (p, body) => (await request(p, 'POST', '/api/v1/requests', { body, headers: { Authorization: 'Bearer ' + tok } }));
  const tok = makeToken(dbArgs, 'agent');
  const rs = [];
  for (let i = 0; i < 3; i++) {
    const r = await mk(a.port, { service: 'pothole', address: `${i} Mill Road`, description: 'Hole', contact_email: email });
    assert.equal(r.status, 201, r.text);
    rs.push(r.body.id);
  }
  // They are tried, fail (nothing listens) and wait for a retry.
  await until('a failed attempt', async () => {
    const x = await request(a.port, 'GET', `/api/v1/requests/${rs[2]}/notifications`, { headers: { Authorization: 'Bearer ' + tok } });
    return x.body.items[0] && x.body.items[0].attempts >= 1 && x.body.items[0].last_error;
  });
  a.kill('SIGKILL');
  await new Promise((res) => a.on('exit', res));
  const sink2 = await startSink(downPort);
  try {
    const b = await startServer(senderArgs(downPort), dbArgs);
    try {
      await until('three emails after the restart', () => sink2.msgs.filter((m) => m.to.includes(email)).length === 3);
      for (const rid of rs) {
        const x = await request(b.port, 'GET', `/api/v1/requests/${rid}/notifications`, { headers: { Authorization: 'Bearer ' + tok } });
        assert.equal(x.body.items.length, 1);
        assert.equal(x.body.items[0].status, 'sent');
        assert.ok(x.body.items[0].attempts >= 2);
      }
    } finally {
      assert.equal(await stopServer(b), 0, b.output().err);
    }
  } finally {
    await stopSink(sink2);
  }
});
