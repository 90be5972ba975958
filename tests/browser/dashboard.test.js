// dashboard.test.js: a manager opens the dashboard in a real browser: each
// report as a chart with its figures in a table, the range form, the CSV
// downloads, and axe's WCAG 2.2 AA checks. Screenshots in the temp folder.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { serve, request, makeToken, makeUser } = require('../http/helpers');
const { launch, finish, axe, shot, signInAs } = require('./browser');

const RUN = Date.now();
const PW = 'manager password 1';
let srv, browser, base, manager;
const today = new Date().toISOString().slice(0, 10);
const CHANNELS = ['phone', 'web', 'email', 'face_to_face'];

test.before(async () => {
  ({ srv } = await serve(['--access-log', 'off', '--retention-every', '0']));
  base = `http://127.0.0.1:${srv.port}`;
  manager = makeToken(srv.db, 'manager');
  // 3 phone, 5 web, 2 email, 1 face to face, over the last days.
  const counts = { phone: 3, web: 5, email: 2, face_to_face: 1 };
  let d = 0;
  for (const ch of CHANNELS)
    for (let i = 0; i < counts[ch]; i++) {
      const at = new Date(Date.now() - (1 + (d++ % 20)) * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
      const r = await request(srv.port, 'POST', '/api/v1/contacts', {
        body: { channel: ch, type: 'interaction', started_at: at, service: 'missed-bin', avoidable: i % 2 ? 'chasing_progress' : 'no', resolved_first_contact: i % 2 === 0 },
      });
      assert.equal(r.status, 201, r.text);
    }
  // Two requests: the service-level report has something to show.
  const pid = (await request(srv.port, 'POST', '/api/v1/people', { body: { given_name: 'Ada', family_name: 'Okafor' } })).body.id;
  for (const d of ['Bin not emptied', 'Recycling left'])
    assert.equal((await request(srv.port, 'POST', '/api/v1/requests', { body: { service: 'missed-bin', description: d, person_id: pid, address: '1 High Street' } })).status, 201);
  makeUser(srv.db, `manager.browser${RUN}@example.org`, 'manager', PW);
  makeUser(srv.db, `agent.dash${RUN}@example.org`, 'agent', PW);
  browser = await launch();
});
test.after(() => finish(browser, srv));

const signIn = (ctx, email) => signInAs(ctx, base, email, PW);

test('a manager opens the dashboard: charts, the figures beneath, CSV downloads, with JavaScript off', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await signIn(ctx, `manager.browser${RUN}@example.org`);
  assert.match(page.url(), /\/staff\/dashboard$/, 'a manager lands on the dashboard');
  await shot(page, 'dashboard');
  // Each report with rows is an image with a name; every report has a table.
  // (On PostgreSQL the database is shared with other test files: compare
  // with the API's own figures, not with what this file made.)
  const M = { headers: { Authorization: `Bearer ${manager}` } };
  const takeup = (await request(srv.port, 'GET', '/api/v1/reports/take-up', M)).body;
  let withRows = 0;
  for (const r of ['channels', 'cost', 'avoidable', 'first-contact', 'sla', 'take-up'])
    if ((await request(srv.port, 'GET', `/api/v1/reports/${r}`, M)).body.rows.length) withRows++;
  assert.ok(withRows >= 4);
  const charts = await page.$$('svg[role=img]');
  assert.equal(charts.length, withRows, 'a chart for each report with rows');
  if (!takeup.rows.length) assert.match(await page.textContent('#report-take-up ~ div table'), /Nothing recorded in this range/);
  for (const c of charts) {
    const ids = (await c.getAttribute('aria-labelledby')).split(' ');
    for (const id of ids) assert.ok((await page.textContent(`#${id}`)).length > 5, id);
  }
  assert.equal((await page.$$('main table.govuk-table')).length, 6);
  // The channels chart has one bar per channel, each as long as its count.
  const byChannel = (await request(srv.port, 'GET', '/api/v1/reports/channels?by=channel', M)).body.rows;
  const count = Object.fromEntries(byChannel.map((r) => [r.channel, r.contacts]));
  const ch = await page.$('#report-channels + svg');
  const widths = await ch.$$eval('rect', (rs) => rs.map((r) => Number(r.getAttribute('width'))));
  const labels = await ch.$$eval('text[text-anchor=end]', (ts) => ts.map((t) => t.textContent));
  assert.deepEqual([...labels].sort(), Object.keys(count).sort());
  for (const c of CHANNELS) assert.ok(count[c] >= 1, c);
  const most = Math.max(...Object.values(count));
  labels.forEach((l, i) => assert.ok(Math.abs(widths[i] - (330 * count[l]) / most) <= 1, `${l}: ${widths[i]} for ${count[l]} of ${most}`));
  // The figures in the table are the API's.
  const api = (await request(srv.port, 'GET', `/api/v1/reports/first-contact?to=${today}`, { headers: { Authorization: `Bearer ${manager}` } })).body;
  const fcr = await page.textContent('#report-first-contact ~ div table');
  assert.match(fcr, new RegExp(`${(api.total.first_contact_rate * 100).toFixed(1)}%`));
  // A month's row per report by default; by channel on asking.
  await page.selectOption('#by', 'channel');
  await page.click('button:has-text("Show the reports")');
  assert.match(page.url(), /by=channel/);
  const cost = await page.textContent('#report-cost ~ div table');
  assert.match(cost, /face_to_face/);
  // The CSV download is the API's CSV for the same range.
  const href = await page.getAttribute('a:has-text("Download What contacts cost as CSV")', 'href');
  assert.match(href, /^\/api\/v1\/reports\/cost\?from=\d{4}-\d\d-\d\d&to=\d{4}-\d\d-\d\d&by=channel&format=csv$/);
  const csv = await ctx.request.get(`${base}${href}`);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()['content-type'], /text\/csv/);
  const lines = (await csv.text()).trim().split('\r\n');
  assert.equal(lines[0], 'channel,contacts,cost_pence,cost_per_contact_pence');
  assert.equal(lines.length, 1 + byChannel.length);
  await ctx.close();
});

test('the dashboard passes axe (WCAG 2.2 AA)', async () => {
  const ctx = await browser.newContext();
  const page = await signIn(ctx, `manager.browser${RUN}@example.org`);
  await axe(page, 'dashboard');
  await page.goto(`${base}/staff/dashboard?by=service`);
  await axe(page, 'dashboard by service');
  await ctx.close();
});

test('a bad range is named on the form and nothing is counted', async () => {
  const ctx = await browser.newContext();
  const page = await signIn(ctx, `manager.browser${RUN}@example.org`);
  const r = await page.goto(`${base}/staff/dashboard?from=2026-13-01&to=${today}`);
  assert.equal(r.status(), 400);
  assert.match(await page.textContent('.govuk-error-summary'), /YYYY-MM-DD/);
  assert.equal((await page.$$('svg[role=img]')).length, 0);
  assert.ok(await page.$('#from.govuk-input--error'));
  await axe(page, 'dashboard with an error');
  await shot(page, 'dashboard-error');
  await ctx.close();
});

test('an agent may not open the dashboard', async () => {
  const ctx = await browser.newContext();
  const page = await signIn(ctx, `agent.dash${RUN}@example.org`);
  assert.equal((await page.goto(`${base}/staff/dashboard`)).status(), 403);
  await ctx.close();
});
