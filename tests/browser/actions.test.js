// actions.test.js: what an agent does from the single view, in a real
// browser with JavaScript off: report a life event (preview first, then
// confirm), book an appointment, log a contact with its outcome; the back
// office's team queue (claim, mark done); search as you type with
// JavaScript on. axe's WCAG 2.2 AA checks on every new page; screenshots in
// the temp folder.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { serve, request, makeUser } = require('../http/helpers');
const { launch, finish, axe, shot, signInAs } = require('./browser');

const RUN = Date.now();
const SUR = 'Blen' + Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
const PW = 'actions password 1';
let srv, browser, base, ids = {};
const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);

test.before(async () => {
  ({ srv } = await serve(['--access-log', 'off', '--retention-every', '0']));
  base = `http://127.0.0.1:${srv.port}`;
  const post = async (url, body) => {
    const r = await request(srv.port, 'POST', url, { body });
    assert.ok(r.status < 300, `${url}: ${r.text}`);
    return r.body;
  };
  const prop = await post('/api/v1/properties', { uprn: String(Date.now() % 1e9), address_line_1: '12 Lime Grove', postcode: 'SE15 4AA', property_type: 'house', tenure: 'owner_occupied' });
  ids.arthur = (await post('/api/v1/people', { given_name: 'Arthur', family_name: SUR, date_of_birth: '1941-02-02' })).id;
  ids.edna = (await post('/api/v1/people', { given_name: 'Edna', family_name: SUR, date_of_birth: '1943-04-04' })).id;
  await post('/api/v1/households', { property_id: prop.id, members: [{ person_id: ids.arthur, relationship: 'head' }, { person_id: ids.edna, relationship: 'partner' }] });
  await post(`/api/v1/people/${ids.arthur}/enrolments`, { service: 'concessionary-travel' });
  makeUser(srv.db, `agent.actions${RUN}@example.org`, 'agent', PW);
  makeUser(srv.db, `registrar.actions${RUN}@example.org`, 'back_office', PW, ['--department', 'registration']);
  browser = await launch();
});
test.after(() => finish(browser, srv));

const signIn = (ctx, email = `agent.actions${RUN}@example.org`) => signInAs(ctx, base, email, PW);

test('an agent reports a death: the preview lists what will change and changes nothing; confirming applies it', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await signIn(ctx);
  await page.goto(`${base}/staff/people/${ids.arthur}`);
  await page.click('text=Report a life event');
  await shot(page, 'life-event-form');
  // A date in the future is named on the form.
  await page.selectOption('#type', 'death');
  await page.fill('#event_date', tomorrow);
  await page.click('button:has-text("Preview what will change")');
  assert.match(await page.textContent('.govuk-error-summary'), /future/);
  await page.fill('#event_date', yesterday);
  await page.click('button:has-text("Preview what will change")');
  assert.match(await page.textContent('h1'), /Check what will change/);
  const effects = await page.$$eval('#effects li', (ls) => ls.map((l) => l.textContent));
  assert.ok(effects.length >= 5, effects.join('\n'));
  assert.ok(effects.some((e) => /Electoral register/.test(e)), effects.join('\n'));
  await shot(page, 'life-event-preview');
  // Nothing changed yet.
  const before = await request(srv.port, 'GET', `/api/v1/people/${ids.arthur}`);
  assert.equal(before.body.date_of_death ?? null, null);
  await page.click('button:has-text("Confirm and apply")');
  assert.match(page.url(), new RegExp(`/staff/people/${ids.arthur}\\?done=`));
  assert.match(await page.textContent('.govuk-notification-banner'), new RegExp(`A death is recorded: ${effects.length} changes made`));
  const after = await request(srv.port, 'GET', `/api/v1/people/${ids.arthur}`);
  assert.equal(after.body.date_of_death, yesterday);
  await ctx.close();
});

test('an agent books an appointment and logs the call with its outcome', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await signIn(ctx);
  await page.goto(`${base}/staff/people/${ids.edna}`);
  await page.click('text=Book an appointment');
  await page.selectOption('#service', 'concessionary-travel');
  await page.click('button:has-text("Show times")');
  // Booking without choosing a time says so.
  await page.click('button:has-text("Book this time")');
  assert.match(await page.textContent('.govuk-error-summary'), /Choose a time/);
  const label = await page.textContent('label[for=slot-1]');
  await page.check('#slot-1');
  await shot(page, 'appointment-slots');
  await page.click('button:has-text("Book this time")');
  assert.match(await page.textContent('main'), /Appointment booked for \d{4}-\d\d-\d\dT\d\d:\d\d/);
  const appts = (await request(srv.port, 'GET', `/api/v1/people/${ids.edna}/appointments`)).body.items;
  assert.equal(appts.length, 1);
  assert.equal(appts[0].service, 'concessionary-travel');
  assert.ok(label.startsWith(appts[0].starts_at.replace('T', ' ')), `${label} vs ${appts[0].starts_at}`);
  assert.match(await page.textContent('main'), new RegExp(`${appts[0].starts_at} at .*concessionary-travel \\(booked\\)`));
  // Log the contact.
  await page.selectOption('#contact-channel', 'phone');
  await page.fill('#contact-reason', 'bus pass appointment');
  await page.fill('#contact-outcome', 'booked at the library');
  await page.check('#contact-resolved');
  await page.click('button:has-text("Log the contact")');
  assert.match(await page.textContent('.govuk-notification-banner'), /Contact logged/);
  const contacts = (await request(srv.port, 'GET', `/api/v1/people/${ids.edna}/contacts`)).body.items;
  const c = contacts.find((x) => x.reason === 'bus pass appointment');
  assert.ok(c, JSON.stringify(contacts));
  assert.equal(c.outcome, 'booked at the library');
  assert.equal(c.resolved_first_contact, true);
  assert.equal(c.channel, 'phone');
  await ctx.close();
});

test('the back office claims a task from its team queue and marks it done', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await signIn(ctx, `registrar.actions${RUN}@example.org`);
  await page.goto(`${base}/staff/queue`);
  const main = await page.textContent('main');
  assert.match(main, /Electoral register: take the person who died off the register/);
  await shot(page, 'team-queue');
  // Our task's row (on PostgreSQL other test files' tasks share the queue).
  const row = `tr:has(a[href="/staff/people/${ids.arthur}"]):has-text("Electoral register")`;
  await page.click(`${row} button:has-text("Claim")`);
  assert.match(await page.textContent('.govuk-notification-banner'), /Task claimed/);
  await page.click(`${row} button:has-text("Mark done")`);
  assert.match(await page.textContent('.govuk-notification-banner'), /Task done/);
  assert.equal(await page.$(row), null, 'done tasks leave the queue');
  const tasks = (await request(srv.port, 'GET', '/api/v1/tasks?team=registration&status=done&limit=1000')).body.items;
  assert.equal(tasks.filter((t) => t.person_id === ids.arthur).length, 1);
  await ctx.close();
});

test('search as you type, with JavaScript on; and every new page passes axe', async () => {
  const ctx = await browser.newContext();
  const page = await signIn(ctx);
  assert.match(page.url(), /\/staff$/);
  await page.type('#q', SUR.toLowerCase(), { delay: 20 });
  await page.waitForSelector('#results a[href^="/staff/people/"]', { timeout: 5000 });
  assert.match(await page.textContent('#results'), /2 results/);
  assert.ok(page.url().endsWith(`/staff?q=${SUR.toLowerCase()}`), 'the address follows, so back and reload work');
  await axe(page, 'search as you type');
  await page.goto(`${base}/staff/people/${ids.edna}`);
  await axe(page, 'single view with actions');
  await page.goto(`${base}/staff/people/${ids.edna}/life-events/new`);
  await axe(page, 'life event form');
  await page.fill('#event_date', 'not a date');
  await page.click('button:has-text("Preview what will change")');
  await axe(page, 'life event form with an error');
  await page.selectOption('#type', 'becoming_carer');
  await page.fill('#event_date', yesterday);
  await page.click('button:has-text("Preview what will change")');
  await axe(page, 'life event preview');
  await page.goto(`${base}/staff/people/${ids.edna}/appointments/new?service=blue-badge`);
  await axe(page, 'appointment slots');
  await ctx.close();
  const bo = await browser.newContext();
  const q = await signIn(bo, `registrar.actions${RUN}@example.org`);
  await q.goto(`${base}/staff/queue`);
  await axe(q, 'team queue');
  // The review queue (its journey, merging a match, is tested through the
  // API in tests/http/sources.test.js: a review needs a population to score).
  assert.equal((await q.goto(`${base}/staff/review`)).status(), 200);
  assert.match(await q.textContent('h1'), /Matches to review/);
  await axe(q, 'review queue');
  await bo.close();
});
