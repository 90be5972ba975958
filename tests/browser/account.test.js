// account.test.js: a resident's own appointments and life events in a
// real browser with JavaScript off: book, see and cancel an appointment;
// report a change in their household with its preview first. axe's WCAG
// 2.2 AA checks; screenshots in the temp folder.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const os = require('node:os');
const { serve, request, makeUser } = require('../http/helpers');
const { launch, finish, axe, shot, signInAs } = require('./browser');

const PW = 'account password 1';
let srv, browser, base, ids = {}, email, otherAppt;
const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);

test.before(async () => {
  ({ srv } = await serve(['--access-log', 'off', '--retention-every', '0']));
  base = `http://127.0.0.1:${srv.port}`;
  const post = async (url, body) => {
    const r = await request(srv.port, 'POST', url, { body });
    assert.ok(r.status < 300, `${url}: ${r.text}`);
    return r.body;
  };
  const prop = await post('/api/v1/properties', { uprn: String(Date.now() % 1e9), address_line_1: '3 Camberwell Grove', postcode: 'SE5 8JA', property_type: 'house', tenure: 'owner_occupied' });
  ids.me = (await post('/api/v1/people', { given_name: 'Kwame', family_name: 'Mensah', date_of_birth: '1970-01-10' })).id;
  ids.mum = (await post('/api/v1/people', { given_name: 'Abena', family_name: 'Mensah', date_of_birth: '1940-03-03' })).id;
  ids.stranger = (await post('/api/v1/people', { given_name: 'Stan', family_name: 'Ger' })).id;
  await post('/api/v1/households', { property_id: prop.id, members: [{ person_id: ids.me, relationship: 'head' }, { person_id: ids.mum, relationship: 'parent' }] });
  // Someone else's appointment, to try to cancel.
  const slots = (await request(srv.port, 'GET', '/api/v1/appointments/slots?service=council-tax-account')).body.slots;
  const now = new Date().toISOString().slice(0, 16);
  const free = slots.find((s) => s.available > 0 && s.starts_at > now);
  otherAppt = (await post('/api/v1/appointments', { person_id: ids.stranger, service: 'council-tax-account', location: free.location, starts_at: free.starts_at })).id;
  email = `kwame${Date.now()}@example.org`;
  makeUser(srv.db, email, 'resident', PW, ['--person', String(ids.me)]);
  browser = await launch();
});
test.after(() => finish(browser, srv));

async function signIn(ctx) {
  const page = await signInAs(ctx, base, email, PW);
  assert.match(page.url(), /\/account$/);
  return page;
}

test('a resident books an appointment, sees it and cancels it; not someone else\'s', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await signIn(ctx);
  assert.match(await page.textContent('main'), /Call 020 7525 5000/, 'phone and face to face stay easy to find');
  await page.click('text=Your appointments');
  assert.match(await page.textContent('main'), /You have no appointments booked/);
  await page.selectOption('#service', 'council-tax-account');
  await page.click('button:has-text("Show times")');
  await page.check('#slot-1');
  await page.click('button:has-text("Book this time")');
  assert.match(await page.textContent('.govuk-notification-banner'), /Booked: \d{4}-\d\d-\d\dT\d\d:\d\d/);
  const mine = (await request(srv.port, 'GET', `/api/v1/people/${ids.me}/appointments`)).body.items;
  assert.equal(mine.length, 1);
  assert.equal(mine[0].status, 'booked');
  await shot(page, 'account-appointments');
  // Not theirs: 404, and the other appointment is untouched.
  const cookie = (await ctx.cookies()).find((c) => c.name === 'fd_session');
  const csrf = await page.getAttribute('input[name=csrf_token]', 'value');
  const r = await request(srv.port, 'POST', `/account/appointments/${otherAppt}/cancel`, { auth: false, raw: `csrf_token=${csrf}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `fd_session=${cookie.value}` } });
  assert.equal(r.status, 404);
  assert.equal((await request(srv.port, 'GET', `/api/v1/appointments/${otherAppt}`)).body.status, 'booked');
  await page.click('button:has-text("Cancel")');
  assert.match(await page.textContent('.govuk-notification-banner'), /Appointment cancelled/);
  assert.match(await page.textContent('main'), /You have no appointments booked/);
  assert.equal((await request(srv.port, 'GET', `/api/v1/people/${ids.me}/appointments`)).body.items[0].status, 'cancelled');
  await ctx.close();
});

test('a resident reports that they became a carer for their mother, seeing what will change first', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await signIn(ctx);
  await page.click('text=Tell us about a change');
  const options = await page.$$eval('#person_id option', (os) => os.map((o) => o.textContent));
  assert.deepEqual(options, ['You', 'Abena Mensah']);
  await page.selectOption('#type', 'becoming_carer');
  await page.fill('#event_date', yesterday);
  await page.fill('#details-cared_for_id', String(ids.mum));
  await page.click('button:has-text("Preview what will change")');
  const effects = await page.$$eval('#effects li', (ls) => ls.map((l) => l.textContent));
  assert.ok(effects.length >= 1, effects.join('\n'));
  await shot(page, 'account-life-event-preview');
  const before = (await request(srv.port, 'GET', `/api/v1/people/${ids.me}/contacts`)).body.items.length;
  await page.click('button:has-text("Confirm and apply")');
  assert.match(page.url(), /\/account\?done=/);
  assert.match(await page.textContent('.govuk-notification-banner'), /recorded: \d+ changes made/);
  const contacts = (await request(srv.port, 'GET', `/api/v1/people/${ids.me}/contacts`)).body.items;
  assert.equal(contacts.length, before + 1);
  assert.equal(contacts[contacts.length - 1].channel, 'web');
  await ctx.close();
});

test('a resident applies for a service through its e-form and sees the promised date', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await signIn(ctx);
  await page.click('text=Apply for a service');
  await page.click('text=Educating my child at home');
  for (const f of ['parent_name', 'child_name', 'child_date_of_birth', 'previous_school', 'date_left_school', 'address', 'phone', 'email'])
    assert.ok(await page.$(`#answers-${f}`), f);
  await page.fill('#answers-parent_name', 'Kwame Mensah');
  await page.fill('#answers-child_name', 'Ama Mensah');
  await page.fill('#answers-child_date_of_birth', '2014-09-09');
  await page.fill('#answers-previous_school', 'Camberwell Primary');
  await shot(page, 'account-eform');
  await page.click('button:has-text("Send application")');
  assert.match(page.url(), /\/account\?reported=\d{4}-\d\d-\d\d$/);
  assert.match(await page.textContent('.govuk-panel'), /We will deal with it by/);
  const reqs = (await request(srv.port, 'GET', `/api/v1/people/${ids.me}/requests`)).body.items;
  const made = reqs.find((r) => r.service === 'elective-home-education' || /home/.test(r.service_name || ''));
  assert.ok(made, JSON.stringify(reqs));
  const full = (await request(srv.port, 'GET', `/api/v1/requests/${made.id}`)).body;
  assert.equal(full.answers.child_name, 'Ama Mensah');
  assert.equal(full.channel ?? 'web', 'web');
  assert.equal((await page.goto(`${base}/account/apply/council-tax`)).status(), 404, 'no e-form for this one');
  await ctx.close();
});

test('the resident\'s new pages pass axe (WCAG 2.2 AA)', async () => {
  const ctx = await browser.newContext();
  const page = await signIn(ctx);
  await axe(page, 'account');
  await page.goto(`${base}/account/appointments?service=council-tax-account`);
  await axe(page, 'appointments');
  await page.goto(`${base}/account/life-events/new`);
  await axe(page, 'life event form');
  await page.goto(`${base}/account/apply`);
  await axe(page, 'services to apply for');
  const href = await page.getAttribute('main li a', 'href');
  await page.goto(`${base}${href}`);
  await axe(page, 'an e-form');
  await page.fill('input[id^=answers-]', 'x'.repeat(3000));
  await page.click('button:has-text("Send application")');
  await axe(page, 'an e-form with an error');
  await ctx.close();
});
