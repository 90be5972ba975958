// signup.test.js: a resident signs up in a real browser, with JavaScript
// off: the confirmation email goes out through the outbox's SMTP sender to
// a real SMTP server (tests/http/smtp_sink.py), the resident follows its
// link and signs in, linked to their record by name, date of birth and
// postcode. The page never says whether an email has an account. axe's
// WCAG 2.2 AA checks; screenshots in the temp folder.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer, request, makeToken, setDefaultToken, freePort, startSink } = require('../http/helpers');
const { launch, finish, axe, shot, signInAs } = require('./browser');

let srv, sink, browser, base;
const uniq = `${Date.now()}`;
const PW = 'a long resident password';
// A surname of this run's own (on PostgreSQL the database is shared between runs).
const SUR = 'Shah' + Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');

// The messages to addr, waiting up to 10 s for at least n.
async function mailTo(addr, n = 1) {
  for (let i = 0; i < 100; i++) {
    const got = sink.msgs.filter((m) => m.to.includes(addr));
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no email to ${addr}`);
}
// The message's text, undoing quoted-printable soft breaks if any.
const text = (m) => m.data.replace(/=\r?\n/g, '').replace(/=3D/g, '=');

test.before(async () => {
  const smtpPort = await freePort();
  sink = await startSink(smtpPort);
  srv = await startServer(['--access-log', 'off', '--retention-every', '0', '--smtp', `smtp://127.0.0.1:${smtpPort}`,
    '--mail-from', 'council@frontdoor.test', '--outbox-every', '1']);
  base = `http://127.0.0.1:${srv.port}`;
  setDefaultToken(makeToken(srv.db, 'agent'));
  const post = async (url, body) => (await request(srv.port, 'POST', url, { body })).body;
  const prop = await post('/api/v1/properties', { uprn: String(Date.now() % 1e9), address_line_1: '7 Rye Lane', postcode: 'SE15 5EW', property_type: 'flat', tenure: 'private_rent' });
  const pid = (await post('/api/v1/people', { given_name: 'Priya', family_name: SUR, date_of_birth: '1985-05-27' })).id;
  await post('/api/v1/households', { property_id: prop.id, members: [{ person_id: pid, relationship: 'head' }] });
  await post(`/api/v1/people/${pid}/enrolments`, { service: 'council-tax' });
  browser = await launch();
});
test.after(async () => {
  await finish(browser, srv);
  sink.removeAllListeners('exit');
  sink.stdin.end();
});

async function signUp(page, fields) {
  await page.goto(`${base}/account/sign-up`);
  for (const [k, v] of Object.entries(fields)) await page.fill(`#${k}`, v);
  await page.click('button:has-text("Create account")');
}
const signIn = (page, email, pw = PW) => signInAs(page, base, email, pw);

test('a resident signs up, confirms their email from the link, signs in and sees their record', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  const email = `priya${uniq}@example.org`;
  // Bad fields are each named; nothing is made.
  await signUp(page, { email: 'not an email', password: 'short', given_name: 'Priya', family_name: SUR, date_of_birth: '27/05/1985', postcode: 'SE15 5EW' });
  const errs = await page.textContent('.govuk-error-summary');
  assert.match(errs, /email address like/);
  assert.match(errs, /at least 10 characters/);
  assert.match(errs, /date of birth like/);
  await signUp(page, { email: email.toUpperCase(), password: PW, given_name: 'priya', family_name: SUR.toUpperCase(), date_of_birth: '1985-05-27', postcode: 'se155ew' });
  assert.match(await page.textContent('h1'), /Check your email/);
  const confirmPage = (await page.textContent('main')).replace(email, 'EMAIL');
  await shot(page, 'sign-up-check-email');
  // Not confirmed yet: cannot sign in.
  await signIn(page, email);
  assert.match(await page.textContent('.govuk-error-summary'), /not right/);
  const [mail] = await mailTo(email);
  assert.match(mail.data, /Subject: Confirm your email address/);
  const link = /(http:\/\/\S+\/account\/verify\?token=[0-9a-f]{64})/.exec(text(mail))[1];
  assert.ok(link.startsWith(base), link);
  // The token itself is not stored, only its hash.
  const { execFileSync } = require('node:child_process');
  if (!process.env.FD_TEST_PG_URL) {
    const db = srv.db[1];
    const rows = execFileSync('sqlite3', [db, 'SELECT token_hash FROM email_verifications'], { encoding: 'utf8' });
    assert.ok(!rows.includes(link.slice(-64)), 'the token is stored hashed');
  }
  // Opening the link changes nothing (mail scanners open links); the button confirms.
  await page.goto(link);
  await signIn(page, email);
  assert.match(await page.textContent('.govuk-error-summary'), /not right/);
  await page.goto(link);
  await page.click('button:has-text("Confirm")');
  assert.match(await page.textContent('main'), /Email address confirmed/);
  assert.doesNotMatch(await page.textContent('main'), /could not match/);
  await shot(page, 'sign-up-confirmed');
  // A link works once.
  await page.goto(link);
  await page.click('button:has-text("Confirm")');
  assert.match(await page.textContent('h1'), /This link does not work/);
  await signIn(page, email);
  assert.match(page.url(), /\/account$/);
  const main = await page.textContent('main');
  assert.match(main, new RegExp(`Signed in as Priya ${SUR}`));
  assert.match(main, /Council tax/);
  await shot(page, 'account-after-sign-up');

  // The same email again: the same page, and a note (not a link) to the owner.
  const ctx2 = await browser.newContext({ javaScriptEnabled: false });
  const other = await ctx2.newPage();
  await signUp(other, { email, password: 'someone else entirely', given_name: 'Mallory', family_name: 'X', date_of_birth: '1990-01-01', postcode: 'SE1 1AA' });
  assert.equal((await other.textContent('main')).replace(email, 'EMAIL'), confirmPage, 'the answer does not say the email has an account');
  const both = await mailTo(email, 2);
  assert.match(both[1].data, /Subject: You already have an account/);
  assert.doesNotMatch(text(both[1]), /verify\?token=/);
  await ctx2.close();
  await ctx.close();
});

test('a resident who matches no record is told how to get linked', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  const email = `nomatch${uniq}@example.org`;
  await signUp(page, { email, password: PW, given_name: 'Priya', family_name: SUR, date_of_birth: '1985-05-27', postcode: 'SE1 7PB' });
  const [mail] = await mailTo(email);
  await page.goto(/(http:\/\/\S+\/account\/verify\?token=[0-9a-f]{64})/.exec(text(mail))[1]);
  await page.click('button:has-text("Confirm")');
  assert.match(await page.textContent('main'), /could not match you to our records/);
  await signIn(page, email);
  assert.match(page.url(), /\/account$/);
  assert.match(await page.textContent('main'), /not linked your account to your council record/);
  await page.goto(`${base}/account/verify?token=${'0'.repeat(64)}`);
  await page.click('button:has-text("Confirm")');
  assert.match(await page.textContent('h1'), /This link does not work/);
  await ctx.close();
});

test('the sign-up pages pass axe (WCAG 2.2 AA)', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base}/account/sign-up`);
  await axe(page, 'sign-up');
  await shot(page, 'sign-up');
  await page.click('button:has-text("Create account")');
  await axe(page, 'sign-up with errors');
  await page.goto(`${base}/account/verify?token=nope`);
  await axe(page, 'confirm the address');
  await page.click('button:has-text("Confirm")');
  await axe(page, 'a link that does not work');
  await ctx.close();
});
