// staff.test.js: the staff pages in a real browser (Debian's Chromium via
// playwright-core), with JavaScript off, and axe's WCAG 2.2 AA checks.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { serve, request, makeUser } = require('../http/helpers');
const { launch, finish, axe, signInAs } = require('./browser');

const PW = 'browser password 1';
let srv, browser, base, ids = {};

test.before(async () => {
  ({ srv } = await serve(['--access-log', 'off', '--retention-every', '0']));
  base = `http://127.0.0.1:${srv.port}`;
  const post = async (url, body) => (await request(srv.port, 'POST', url, { body })).body;
  const prop = await post('/api/v1/properties', { uprn: String(Date.now() % 1e9), address_line_1: 'Flat 3, Elm House', postcode: 'SE5 8RS', property_type: 'flat', floor: 3, tenure: 'council_rent' });
  ids.mum = (await post('/api/v1/people', { given_name: 'Grace', family_name: 'Adeyemi', date_of_birth: '1990-03-03', phone: '07700 900321' })).id;
  ids.kid = (await post('/api/v1/people', { given_name: 'Tobi', family_name: 'Adeyemi', date_of_birth: '2017-06-06' })).id;
  await post('/api/v1/households', { property_id: prop.id, members: [{ person_id: ids.mum, relationship: 'head' }, { person_id: ids.kid, relationship: 'child' }] });
  await post(`/api/v1/people/${ids.mum}/enrolments`, { service: 'housing-benefit' });
  makeUser(srv.db, 'agent.browser@example.org', 'agent', PW);
  browser = await launch();
});
test.after(() => finish(browser, srv));

// Signs in through the form; returns the page.
const signIn = (ctx) => signInAs(ctx, base, 'agent.browser@example.org', PW);

test('an agent signs in, finds a resident and sees the single view, with JavaScript off', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  const before = await page.goto(`${base}/staff`);
  assert.equal(before.status(), 401); // not signed in
  await page.goto(`${base}/staff/sign-in`);
  await page.fill('#email', 'agent.browser@example.org');
  await page.fill('#password', 'wrong password here');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('.govuk-error-summary'), /There is a problem/);
  await page.fill('#password', PW);
  await page.click('button[type=submit]');
  assert.match(page.url(), /\/staff$/);
  await page.fill('#q', 'adeyemi');
  await page.click('button[type=submit]:has-text("Search")');
  assert.match(page.url(), /\/staff\?q=adeyemi$/);
  assert.match(await page.textContent('main'), /2 results/);
  await page.click(`a[href="/staff/people/${ids.mum}"]`);
  const main = await page.textContent('main');
  assert.match(main, /Grace Adeyemi/);
  assert.match(main, /Tobi Adeyemi \(child\)/);
  assert.match(main, /Housing benefit, since/);
  assert.match(main, /Free school meals/i);
  assert.match(main, /the household receives Housing benefit/);
  assert.doesNotMatch(main, /Garden waste/i);
  await page.screenshot({ path: require('node:path').join(require('node:os').tmpdir(), 'frontdoor-single-view.png'), fullPage: true });
  await page.click('text=Sign out');
  assert.match(page.url(), /\/staff\/sign-in$/);
  const again = await page.goto(`${base}/staff/people/${ids.mum}`);
  assert.equal(again.status(), 401);
  await ctx.close();
});

test('an agent enrols the resident in two offered services in one go', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await signIn(ctx);
  await page.goto(`${base}/staff/people/${ids.mum}`);
  await page.check('#offer-free-school-meals');
  await page.check('#offer-school-uniform-grant');
  await page.click('button:has-text("Enrol in the ticked services")');
  const main = await page.textContent('main');
  assert.match(main, /Enrolled in 2 services/);
  assert.match(main, /Free school meals, since/);
  assert.equal(await page.$('#offer-free-school-meals'), null, 'no longer offered');
  await page.screenshot({ path: require('node:path').join(require('node:os').tmpdir(), 'frontdoor-enrolled.png'), fullPage: true });
  // One contact logged for the call.
  const contacts = await request(srv.port, 'GET', `/api/v1/people/${ids.mum}/contacts`);
  assert.equal(contacts.body.items.filter((c) => c.reason === 'enrolled in 2 services').length, 1);
  // Nothing ticked: a clear error, nothing saved.
  await page.click('button:has-text("Enrol in the ticked services")');
  assert.match(await page.textContent('.govuk-error-summary'), /Tick at least one service/);
  await ctx.close();
});

test('every staff page passes axe (WCAG 2.2 AA)', async () => {
  const ctx = await browser.newContext();
  const anon = await ctx.newPage();
  await anon.goto(`${base}/staff/sign-in`);
  await axe(anon, 'sign-in');
  await anon.fill('#email', 'nobody@example.org');
  await anon.fill('#password', 'x');
  await anon.click('button[type=submit]');
  await axe(anon, 'sign-in with an error');
  const page = await signIn(ctx);
  assert.match(page.url(), /\/staff$/);
  await axe(page, 'find a resident');
  await page.goto(`${base}/staff?q=Adeyemi`);
  await axe(page, 'search results');
  await page.goto(`${base}/staff/people/${ids.mum}`);
  await axe(page, 'single view');
  await ctx.close();
});

test('a sign-out form without the CSRF token is refused', async () => {
  const ctx = await browser.newContext();
  const page = await signIn(ctx);
  const cookie = (await ctx.cookies()).find((c) => c.name === 'fd_session');
  const r = await request(srv.port, 'POST', '/staff/sign-out', { raw: 'csrf_token=wrong', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `fd_session=${cookie.value}` } });
  assert.equal(r.status, 403);
  assert.equal((await page.goto(`${base}/staff`)).status(), 200, 'still signed in');
  await ctx.close();
});
