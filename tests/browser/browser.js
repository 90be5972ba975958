// browser.js: what the browser tests share: Chromium launched as this
// machine allows, axe's WCAG 2.2 AA checks, screenshots in the temp
// folder, and signing in on the staff sign-in page.
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const os = require('node:os');
const { chromium } = require('playwright-core');
const { AxeBuilder } = require('@axe-core/playwright');
const { finishServer } = require('../http/helpers');

function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Closes the browser, then stops the server, which must exit 0.
async function finish(browser, srv) {
  if (browser) await browser.close();
  await finishServer(srv);
}

async function axe(page, what) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  assert.deepEqual(r.violations.map((v) => `${v.id}: ${v.help}`), [], `${what}: accessibility violations`);
}

const shot = (page, name) => page.screenshot({ path: path.join(os.tmpdir(), `frontdoor-${name}.png`), fullPage: true });

// Signs in at base as email: on a new page of a browser context, or on the
// page given. Returns the page, wherever the sign-in took it.
async function signInAs(where, base, email, password) {
  const page = typeof where.newPage === 'function' ? await where.newPage() : where;
  await page.goto(`${base}/staff/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button:has-text("Sign in")');
  return page;
}

module.exports = { launch, finish, axe, shot, signInAs };
