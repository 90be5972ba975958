// resident.test.js: the public directory and a resident's account in a
// real browser: a resident reports a missed bin and sees its promised date.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { serve, request, makeUser } = require('../http/helpers');
const { launch, finish, axe, shot } = require('./browser');

const PW = 'resident password 1';
let srv, browser, base, pid, email;

test.before(async () => {
  ({ srv } = await serve(['--access-log', 'off', '--retention-every', '0']));
  base = `http://127.0.0.1:${srv.port}`;
  pid = (await request(srv.port, 'POST', '/api/v1/people', { body: { given_name: 'Nadia', family_name: 'Rahman' } })).body.id;
  email = `nadia${Date.now()}@example.org`;
  makeUser(srv.db, email, 'resident', PW, ['--person', String(pid)]);
  browser = await launch();
});
test.after(() => finish(browser, srv));

test('the public directory lists the services and says how to get each', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base}/services`);
  assert.match(await page.textContent('main'), /Bins and recycling/);
  await axe(page, 'services');
  await shot(page, 'services');
  await page.click('text=Report a missed bin');
  const main = await page.textContent('main');
  assert.match(main, /2 working days/);
  assert.match(main, /Free/);
  await axe(page, 'one service');
  assert.equal((await page.goto(`${base}/services/no-such-service`)).status(), 404);
  await ctx.close();
});

test('a resident reports a missed bin and sees its promised date, with JavaScript off', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(`${base}/staff/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', PW);
  await page.click('button:has-text("Sign in")');
  assert.match(page.url(), /\/account$/);
  assert.match(await page.textContent('main'), /Signed in as Nadia Rahman/);
  await page.selectOption('#service', 'missed-bin');
  await page.click('button:has-text("Send report")');
  assert.match(await page.textContent('.govuk-error-summary'), /Say what has happened/);
  await page.selectOption('#service', 'missed-bin');
  await page.fill('#description', 'Recycling not collected on Tuesday');
  await page.click('button:has-text("Send report")');
  const panel = await page.textContent('.govuk-panel');
  const m = /deal with it by (\d{4}-\d\d-\d\d)/.exec(panel);
  assert.ok(m, panel);
  assert.match(await page.textContent('main'), new RegExp(`Report a missed bin: received, we will deal with it by ${m[1]}`));
  await shot(page, 'account');
  // Staff see it in the waste queue, on the web channel, for her.
  const queue = await request(srv.port, 'GET', '/api/v1/requests?team=waste');
  assert.ok(queue.body.items.some((r) => r.person_id === pid && r.channel === 'web' && r.promised_date === m[1]));
  await ctx.close();
});

test('the account page passes axe', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base}/staff/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', PW);
  await page.click('button:has-text("Sign in")');
  await axe(page, 'account');
  await ctx.close();
});
