// chat.test.js: live web chat. A resident opens a chat from the public
// site (no sign-in), an agent picks it up, messages flow both ways as
// Server-Sent Events, the agent sends a link to an article or a form, and
// closing logs a web_chat contact on the resident's record. The pages work
// without JavaScript. (One address may open five chats a minute: the first
// server here opens exactly five; the rate limit is tested on a second one.)
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { finishServer, startServer, stopServer, request, makeToken, makeUser, setDefaultToken } = require('./helpers');

let srv, port, agent, agent2, person;
const staff = (t = agent) => ({ headers: { Authorization: 'Bearer ' + t } });

// An event stream: collects {event, id, data} and waits for one that fits.
function openStream(path, headers = {}) {
  const events = [];
  let buffer = '', waiters = [], ended = false, res0 = null;
  const req = http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
    res0 = res;
    res.setEncoding('utf8');
    res.on('data', (d) => {
      buffer += d;
      let i;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const ev = { event: 'message', id: null, data: null };
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) ev.event = line.slice(7);
          else if (line.startsWith('id: ')) ev.id = line.slice(4);
          else if (line.startsWith('data: ')) ev.data = JSON.parse(line.slice(6));
        }
        if (ev.data) events.push(ev);
      }
      waiters = waiters.filter((w) => !w());
    });
    res.on('end', () => { ended = true; waiters = waiters.filter((w) => !w()); });
  });
  req.on('error', () => {});
  return {
    events,
    response: () => res0,
    ended: () => ended,
    waitFor(pred, ms = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => { const e = events.find(pred); if (e) { clearTimeout(t); resolve(e); return true; } return false; };
        const t = setTimeout(() => reject(new Error('no such event within ' + ms + ' ms: ' + JSON.stringify(events))), ms);
        if (!check()) waiters.push(check);
      });
    },
    waitEnd(ms = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => { if (ended) { clearTimeout(t); resolve(); return true; } return false; };
        const t = setTimeout(() => reject(new Error('stream did not end')), ms);
        if (!check()) waiters.push(check);
      });
    },
    close() { req.destroy(); },
  };
}

test.before(async () => {
  srv = await startServer(['--access-log', 'off']);
  port = srv.port;
  agent = makeToken(srv.db, 'agent');
  agent2 = makeToken(srv.db, 'agent');
  setDefaultToken(null);
  person = (await request(port, 'POST', '/api/v1/people', { body: { given_name: 'Ann', family_name: 'Okafor' }, ...staff() })).body.id;
});
test.after(() => finishServer(srv));

test('a resident chats with an agent: live both ways, a form link, logged as a web_chat contact', async () => {
  const open = await request(port, 'POST', '/api/v1/chats', { body: { text: 'my bin was not collected on monday', name: 'Ann' }, auth: false });
  assert.equal(open.status, 201, open.text);
  const key = open.body.access_key, id = open.body.id;
  assert.match(key, /^[0-9a-f]{32}$/);
  assert.equal(open.body.status, 'waiting');
  assert.equal(open.body.topic, 'missed-bin');
  assert.equal(open.body.messages.length, 1);

  // The agent sees it waiting, with what it is about, but not its key.
  const list = await request(port, 'GET', '/api/v1/chats', staff());
  const mine = list.body.items.find((c) => c.id === id);
  assert.equal(mine.status, 'waiting');
  assert.equal(mine.topic_title, 'Report a missed bin');
  assert.equal(mine.access_key, undefined);

  const residentStream = openStream(`/api/v1/webchat/${key}/events`);
  const agentStream = openStream(`/api/v1/chats/${id}/events`, { Authorization: 'Bearer ' + agent });
  await residentStream.waitFor((e) => e.event === 'message' && e.data.sender === 'resident');
  assert.match(residentStream.response().headers['content-type'], /^text\/event-stream/);

  const up = await request(port, 'POST', `/api/v1/chats/${id}/pick-up`, { body: {}, ...staff() });
  assert.equal(up.status, 200, up.text);
  assert.equal(up.body.status, 'active');
  const again = await request(port, 'POST', `/api/v1/chats/${id}/pick-up`, { body: {}, ...staff(agent2) });
  assert.equal(again.status, 409);
  await residentStream.waitFor((e) => e.event === 'status' && e.data.status === 'active');

  const t0 = Date.now();
  const reply = await request(port, 'POST', `/api/v1/chats/${id}/messages`, { body: { text: 'Sorry, report it here and we will come back', form: 'missed-bin' }, ...staff() });
  assert.equal(reply.status, 201, reply.text);
  const got = await residentStream.waitFor((e) => e.event === 'message' && e.data.sender === 'agent');
  assert.ok(Date.now() - t0 < 1500, 'delivered in ' + (Date.now() - t0) + ' ms');
  assert.equal(got.data.link, '/account?service=missed-bin');
  assert.equal(got.data.author_id, undefined); // residents do not see who

  const art = await request(port, 'POST', `/api/v1/chats/${id}/messages`, { body: { article: 'bin-collection-day' }, ...staff() });
  assert.equal(art.status, 201, art.text);
  assert.equal(art.body.link, '/services/bin-collection-day');
  assert.equal(art.body.text, 'Bin collection day');

  const said = await request(port, 'POST', `/api/v1/webchat/${key}/messages`, { body: { text: 'thanks, done' }, auth: false });
  assert.equal(said.status, 201, said.text);
  await agentStream.waitFor((e) => e.event === 'message' && e.data.text === 'thanks, done');

  // Resuming from Last-Event-ID sends only what came after.
  const resumed = openStream(`/api/v1/webchat/${key}/events`, { 'Last-Event-ID': got.id });
  await resumed.waitFor((e) => e.data.text === 'thanks, done');
  assert.ok(resumed.events.every((e) => e.event !== 'message' || Number(e.id) > Number(got.id)));
  resumed.close();

  const closed = await request(port, 'POST', `/api/v1/chats/${id}/close`, { body: { person_id: person, outcome: 'form link sent' }, ...staff() });
  assert.equal(closed.status, 200, closed.text);
  assert.equal(closed.body.status, 'closed');
  await residentStream.waitFor((e) => e.event === 'status' && e.data.status === 'closed');
  await residentStream.waitEnd();
  agentStream.close();

  const contacts = await request(port, 'GET', `/api/v1/people/${person}/contacts`, staff());
  const c = contacts.body.items.find((x) => x.id === closed.body.contact_id);
  assert.ok(c, contacts.text);
  assert.equal(c.channel, 'web_chat');
  assert.equal(c.service, 'missed-bin');
  assert.equal(c.outcome, 'form link sent');
  assert.equal((await request(port, 'POST', `/api/v1/webchat/${key}/messages`, { body: { text: 'hello?' }, auth: false })).status, 409);
  assert.equal((await request(port, 'POST', `/api/v1/chats/${id}/close`, { body: {}, ...staff() })).status, 409);
});

test("a signed-in resident's chat is on their record from the start", async () => {
  const email = `chat${Date.now() % 1e9}@example.org`;
  makeUser(srv.db, email, 'resident', 'resident password 9', ['--person', String(person)]);
  const s = await request(port, 'POST', '/api/v1/sessions', { body: { email, password: 'resident password 9' }, auth: false });
  assert.equal(s.status, 201, s.text);
  const cookie = s.headers['set-cookie'][0].split(';')[0];
  const open = await request(port, 'POST', '/api/v1/chats', { body: { text: 'how do I pay my council tax' }, headers: { Cookie: cookie } });
  assert.equal(open.status, 201, open.text);
  assert.equal(open.body.person_id, undefined); // the resident's view shows no record numbers
  const seen = await request(port, 'GET', `/api/v1/chats/${open.body.id}`, staff());
  assert.equal(seen.body.person_id, person);
  assert.equal(seen.body.topic, 'council-tax-account');
});

test('bad input is 422 naming the field; unknown chats are 404', async () => {
  const bad = await request(port, 'POST', '/api/v1/chats', { body: { text: '', email: 'not an email', colour: 'red' }, auth: false });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.body.errors.map((e) => e.field).sort(), ['colour', 'email', 'text']);
  const open = await request(port, 'POST', '/api/v1/chats', { body: { text: 'rats in my garden' }, auth: false });
  const id = open.body.id;
  assert.equal((await request(port, 'POST', `/api/v1/chats/${id}/messages`, { body: { text: 'hi' }, ...staff() })).status, 409); // not picked up
  await request(port, 'POST', `/api/v1/chats/${id}/pick-up`, { body: {}, ...staff() });
  const m = await request(port, 'POST', `/api/v1/chats/${id}/messages`, { body: { article: 'no-such', form: 'free-school-meals' }, ...staff() });
  assert.equal(m.status, 422);
  assert.deepEqual(m.body.errors.map((e) => e.field).sort(), ['article', 'form', 'text']);
  const cl = await request(port, 'POST', `/api/v1/chats/${id}/close`, { body: { person_id: 999999 }, ...staff() });
  assert.equal(cl.status, 422);
  assert.equal((await request(port, 'GET', '/api/v1/webchat/' + 'a'.repeat(32), { auth: false })).status, 404);
  assert.equal((await request(port, 'GET', '/api/v1/chats?status=lost', staff())).status, 400);
  assert.equal((await request(port, 'GET', '/api/v1/chats', { auth: false })).status, 401);
});

test('the pages work without JavaScript: start, send, pick up, reply with an article, end', async () => {
  const form = (path, fields, headers = {}) => request(port, 'POST', path, { raw: new URLSearchParams(fields).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, auth: false });
  const start = await request(port, 'GET', '/chat', { auth: false });
  assert.equal(start.status, 200);
  assert.match(start.text, /action="\/chat"/);
  const home = await request(port, 'GET', '/services', { auth: false });
  assert.match(home.text, /href="\/chat">Chat with an adviser/); // from any page
  const empty = await form('/chat', { text: '' });
  assert.equal(empty.status, 422);
  const made = await form('/chat', { text: 'I need a parking permit for my new car', name: 'Bo' });
  assert.equal(made.status, 303, made.text);
  const where = made.headers.location;
  assert.match(where, /^\/chat\/[0-9a-f]{32}$/);
  const page = await request(port, 'GET', where, { auth: false });
  assert.match(page.text, /I need a parking permit for my new car/);
  assert.match(page.text, /data-events="\/api\/v1\/webchat\/[0-9a-f]{32}\/events"/);
  assert.match(page.text, /<script src="\/chat\.js" defer><\/script>/);
  assert.equal((await form(where, { text: 'hello?' })).status, 303);

  const waiting = await request(port, 'GET', '/staff/chats', staff());
  assert.equal(waiting.status, 200);
  const id = Number(new RegExp('/staff/chats/(\\d+)/pick-up').exec(waiting.text.slice(waiting.text.indexOf('Bo')))[1]);
  assert.equal((await form(`/staff/chats/${id}/pick-up`, {}, { Authorization: 'Bearer ' + agent })).status, 303);
  const view = await request(port, 'GET', `/staff/chats/${id}`, staff());
  assert.match(view.text, /About: <a class="govuk-link" href="\/services\/parking-permit-resident">/);
  assert.match(view.text, /<option value="parking-permit-resident" selected>/);
  const sent = await form(`/staff/chats/${id}/messages`, { text: 'Here you go', article: 'parking-permit-resident', form: '' }, { Authorization: 'Bearer ' + agent });
  assert.equal(sent.status, 303);
  assert.doesNotMatch(sent.headers.location, /error/);
  const after = await request(port, 'GET', where, { auth: false });
  assert.match(after.text, /Here you go <a class="govuk-link" href="\/services\/parking-permit-resident">Resident parking permit<\/a>/);
  const bad = await form(`/staff/chats/${id}/messages`, { text: '', article: '' }, { Authorization: 'Bearer ' + agent });
  assert.match(bad.headers.location, /error=/);
  const end = await form(`/staff/chats/${id}/close`, { person_id: String(person), outcome: '' }, { Authorization: 'Bearer ' + agent });
  assert.equal(end.status, 303);
  assert.equal(end.headers.location, '/staff/chats');
  const last = await request(port, 'GET', where, { auth: false });
  assert.match(last.text, /This chat has ended/);
  const js = await request(port, 'GET', '/chat.js', { auth: false });
  assert.match(js.headers['content-type'], /text\/javascript/);
  assert.match(js.text, /EventSource/);
});

test('fifty open event streams hold no worker: other requests are answered at once (2 threads)', async () => {
  const open = await request(port, 'POST', '/api/v1/chats', { body: { text: 'graffiti on the wall' }, auth: false });
  const streams = [];
  for (let i = 0; i < 50; i++) streams.push(openStream(`/api/v1/webchat/${open.body.access_key}/events`));
  await Promise.all(streams.map((s) => s.waitFor((e) => e.event === 'message')));
  const times = [];
  for (let i = 0; i < 20; i++) {
    const t0 = process.hrtime.bigint();
    assert.equal((await request(port, 'GET', '/api/v1/articles/pothole', { auth: false })).status, 200);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  assert.ok(times[18] < 500, 'p95 ' + times[18] + ' ms');
  // And all fifty still get a new message.
  await request(port, 'POST', `/api/v1/webchat/${open.body.access_key}/messages`, { body: { text: 'still there?' }, auth: false });
  await Promise.all(streams.map((s) => s.waitFor((e) => e.data.text === 'still there?')));
  streams.forEach((s) => s.close());
});

test('an open event stream does not hold up shutdown; opening chats is rate-limited', async () => {
  const s2 = await startServer(['--access-log', 'off']);
  const open = await request(s2.port, 'POST', '/api/v1/chats', { body: { text: 'pothole' }, auth: false });
  const savedPort = port;
  port = s2.port;
  const st = openStream(`/api/v1/webchat/${open.body.access_key}/events`);
  await st.waitFor((e) => e.event === 'message');
  port = savedPort;
  // Opening chats is limited per address: five a minute (this server has had one).
  const codes = [];
  for (let i = 0; i < 5; i++) codes.push((await request(s2.port, 'POST', '/api/v1/chats', { body: { text: 'hello' }, auth: false })).status);
  assert.deepEqual(codes, [201, 201, 201, 201, 429]);
  const t0 = Date.now();
  assert.equal(await stopServer(s2), 0);
  assert.ok(Date.now() - t0 < 5000, 'stopped in ' + (Date.now() - t0) + ' ms');
  await st.waitEnd();
});
