// resident.test.js: the public directory and a resident's account in a
// real browser: a resident reports a missed bin and sees its promised date.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const os = require('node:os');
const { chromium } = require('playwright-core');
const { AxeBuilder } = require('@axe-core/playwright');
const { startServer, stopServer, request, makeToken, makeUser, setDefaultToken } = require('../http/helpers');

const PW = 'resident password 1';
let srv, browser, base, pid, email;
const shot = (page, name) => page.screenshot({ path: path.join(os.tmpdir(), `frontdoor-${name}.png`), fullPage: true });

test.before(async () => {
  srv = await startServer(['--access-log', 'off', '--retention-every', '0']);
  base = `http://127.0.0.1:${srv.port}`;
  setDefaultToken(makeToken(srv.db, 'agent'));
  pid = (await request(srv.port, 'POST', '/api/v1/people', { body: { given_name: 'Nadia', family_name: 'Rahman' } })).body.id;
  email = `nadia${Date.now()}@example.org`;
  makeUser(srv.db, email, 'resident', PW, ['--person', String(pid)]);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
test.after(async () => {
  if (browser) await browser.close();
  assert.equal(await stopServer(srv), 0, srv.output().err);
});

async function axe(page, what) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  assert.deepEqual(r.violations.map((v) => `${v.id}: ${v.help}`), [], `${what}: accessibility violations`);
}

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
