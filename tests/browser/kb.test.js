// kb.test.js: site search, the article as prompts for an agent, and live
// web chat in a real browser: a resident chats with an agent, each sees
// the other's messages arrive without reloading; axe on every page.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { serve, request, makeUser } = require('../http/helpers');
const { launch, finish, axe, shot, signInAs } = require('./browser');

const PW = 'agent chat password 1';
let srv, browser, base, pid;

test.before(async () => {
  ({ srv } = await serve(['--access-log', 'off', '--retention-every', '0']));
  base = `http://127.0.0.1:${srv.port}`;
  pid = (await request(srv.port, 'POST', '/api/v1/people', { body: { given_name: 'Marta', family_name: 'Silva' } })).body.id;
  makeUser(srv.db, 'agent.chat@example.org', 'agent', PW);
  browser = await launch();
});
test.after(() => finish(browser, srv));

async function signIn(ctx) {
  const page = await signInAs(ctx, base, 'agent.chat@example.org', PW);
  await page.waitForURL(`${base}/staff`);
  return page;
}

test('search finds the best match, or who to call instead, with JavaScript off', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(`${base}/services`);
  await page.fill('#services-q', "my bin wasn't emptied");
  await page.click('button:has-text("Search")');
  assert.match(await page.textContent('main'), /Best match/);
  assert.match(await page.textContent('main'), /Report a missed bin/);
  await shot(page, 'search');
  await page.fill('#q', 'I can smell gas');
  await page.click('main button:has-text("Search")');
  assert.match(await page.textContent('main'), /0800 111 999/);
  await page.goto(`${base}/services/pothole`);
  assert.match(await page.textContent('main'), /Who can get it/);
  await ctx.close();
});

test('an agent sees the article as prompts in the single view', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await signIn(ctx);
  await page.goto(`${base}/staff/people/${pid}`);
  await page.fill('#ask', 'she needs a blue badge for her car');
  await page.click('button:has-text("Show prompts")');
  const prompts = await page.textContent('#prompts');
  assert.match(prompts, /Blue Badge/);
  assert.match(prompts, /Who:/);
  await ctx.close();
});

test('a resident and an agent chat live, with an article link, then the agent ends it', async () => {
  const rctx = await browser.newContext();
  const resident = await rctx.newPage();
  await resident.goto(`${base}/services`);
  await resident.click('text=Chat with an adviser');
  await axe(resident, 'start a chat');
  await resident.fill('#text', 'when is my bin day?');
  await resident.click('button:has-text("Start chat")');
  await resident.waitForURL(/\/chat\/[0-9a-f]{32}$/);
  assert.match(await resident.textContent('#chat-status'), /Waiting for an adviser/);
  await axe(resident, 'resident chat');

  const actx = await browser.newContext();
  const agent = await signIn(actx);
  await agent.goto(`${base}/staff/chats`);
  assert.match(await agent.textContent('main'), /Bin collection day/);
  await axe(agent, 'chats waiting');
  await agent.click('button:has-text("Pick up")');
  await agent.waitForURL(/\/staff\/chats\/\d+$/);
  await axe(agent, 'agent chat');
  // The resident sees the adviser join, without reloading.
  await resident.waitForFunction(() => /chatting with an adviser/.test(document.getElementById('chat-status').textContent), null, { timeout: 5000 });

  await agent.fill('#text', 'Here is how to check');
  await agent.selectOption('#article', 'bin-collection-day');
  await agent.click('#chat-form button:has-text("Send")');
  await resident.waitForSelector('#messages a[href="/services/bin-collection-day"]', { timeout: 5000 });
  assert.match(await resident.textContent('#messages'), /Adviser: Here is how to check/);

  await resident.fill('#text', 'thank you!');
  await resident.click('#chat-form button:has-text("Send")');
  await agent.waitForSelector('#messages li:has-text("thank you!")', { timeout: 5000 });
  assert.equal(await resident.inputValue('#text'), ''); // sent without a reload

  await agent.fill('#person_id', String(pid));
  await agent.click('button:has-text("End chat")');
  await agent.waitForURL(`${base}/staff/chats`);
  await resident.waitForFunction(() => /has ended/.test(document.getElementById('chat-status').textContent), null, { timeout: 5000 });
  await shot(resident, 'chat-ended');
  const contacts = await request(srv.port, 'GET', `/api/v1/people/${pid}/contacts`);
  assert.ok(contacts.body.items.some((c) => c.channel === 'web_chat'), contacts.text);
  await rctx.close();
  await actx.close();
});

test('the search and prompt pages pass axe (WCAG 2.2 AA)', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base}/search?q=${encodeURIComponent("my bin wasn't emptied")}`);
  await axe(page, 'search results');
  await page.goto(`${base}/search?q=${encodeURIComponent('I can smell gas')}`);
  await axe(page, 'search signpost');
  await page.goto(`${base}/services/pothole`);
  await axe(page, 'a service with its article');
  const staff = await signIn(ctx);
  await staff.goto(`${base}/staff/people/${pid}?ask=${encodeURIComponent('pothole in my road')}`);
  assert.match(await staff.textContent('#prompts'), /Report a pothole/);
  await axe(staff, 'single view with prompts');
  await ctx.close();
});
