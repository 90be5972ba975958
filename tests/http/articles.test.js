// articles.test.js: the knowledge base: every service has a plain-English
// article, search tolerates typos (FTS5 on SQLite, full text and pg_trgm on
// PostgreSQL), signposts for what the council does not do, and the pages
// that show them. A bad articles file stops start-up naming file and line.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { finishServer, startServer, request, run, freshDb } = require('./helpers');

let srv, port;
test.before(async () => { srv = await startServer(['--access-log', 'off']); port = srv.port; });
test.after(() => finishServer(srv));

const get = (url) => request(port, 'GET', url, { auth: false });

test('every one of the services has an article with what, who, how and when; signposts have a number', async () => {
  const services = (await get('/api/v1/services')).body.items;
  const all = await get('/api/v1/articles');
  assert.equal(all.status, 200);
  const bySlug = new Map(all.body.items.map((a) => [a.slug, a]));
  assert.ok(services.length >= 126);
  for (const s of services) assert.ok(bySlug.has(s.service), `no article for ${s.service}`);
  const one = await get('/api/v1/articles/missed-bin');
  assert.equal(one.status, 200);
  for (const k of ['what', 'who', 'how', 'when']) assert.ok(one.body[k] && one.body[k].length > 10, k);
  assert.equal(one.body.service.promise_days, 2);
  assert.equal(one.body.form, '/account?service=missed-bin');
  const gas = await get('/api/v1/articles/gas-emergency');
  assert.equal(gas.body.kind, 'signpost');
  assert.equal(gas.body.phone, '0800 111 999');
  for (const id of ['police-101', 'emergency-999', 'water-leak', 'power-cut', 'nhs-111', 'dvla', 'hmrc', 'dwp-universal-credit', 'royal-mail', 'tfl'])
    assert.equal((await get('/api/v1/articles/' + id)).body.kind, 'signpost', id);
  assert.equal((await get('/api/v1/articles/no-such-thing')).status, 404);
});

test('search ranks the right article first, with typos, and suggests who to call for what is not ours', async () => {
  const cases = [['pothole', 'pothole'], ['potholle', 'pothole'], ['resident parking permit', 'parking-permit-resident'],
    ['bulky waste sofa collection', 'bulky-waste'], ['regster to vote', 'electoral-register']];
  for (const [q, want] of cases) {
    const r = await get('/api/v1/articles?q=' + encodeURIComponent(q));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.items[0].slug, want, `${q}: ${r.body.items.map((i) => i.slug).join(' ')}`);
  }
  // Full text finds more than the one suggestion.
  const bins = await get('/api/v1/articles?q=bins');
  assert.ok(bins.body.items.length >= 3, bins.text);
  const gas = await get('/api/v1/articles?q=' + encodeURIComponent('I can smell gas'));
  assert.equal(gas.body.suggestion.signpost.slug, 'gas-emergency');
  assert.equal(gas.body.suggestion.service, null);
  const none = await get('/api/v1/articles?q=zzzzqqq');
  assert.equal(none.status, 200);
  assert.equal(none.body.items.length, 0);
  assert.equal((await get('/api/v1/articles?q=' + 'x'.repeat(201))).status, 400);
  assert.equal((await get('/api/v1/articles?colour=red')).status, 400);
});

test('the pages: a service shows its article, /search shows the best match or a signpost, without JavaScript', async () => {
  const page = await get('/services/missed-bin');
  assert.equal(page.status, 200);
  assert.match(page.text, /Who can get it/);
  assert.match(page.text, /by 7am on collection day/);
  const dir = await get('/services');
  assert.match(dir.text, /action="\/search"/);
  const s = await get('/search?q=' + encodeURIComponent('my bin wasnt emptied'));
  assert.equal(s.status, 200);
  assert.match(s.text, /Best match/);
  assert.match(s.text, /href="\/services\/missed-bin">Report a missed bin/);
  assert.match(s.text, /href="\/account\?service=missed-bin"/);
  const sp = await get('/search?q=' + encodeURIComponent('power cut'));
  assert.match(sp.text, /Power cut: call 105/);
  assert.match(sp.text, /<strong>105<\/strong>/);
  const esc = await get('/search?q=' + encodeURIComponent('<script>alert(1)</script>'));
  assert.doesNotMatch(esc.text, /<script>alert/);
  const empty = await get('/search');
  assert.equal(empty.status, 200);
});

test('a bad articles file stops start-up, naming the file and line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-kb-'));
  for (const f of ['services.txt', 'bank_holidays.txt', 'contact_costs.tsv']) fs.copyFileSync(path.join(__dirname, '../../catalogue', f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'articles.txt'), '# test\n\narticle: pothole\ntitle: Potholes\ncolour: red\n');
  const r = run(['serve', ...freshDb(), '--catalogue', dir, '--listen', '127.0.0.1:0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /articles\.txt:5: pothole: unknown key 'colour'/);
  fs.writeFileSync(path.join(dir, 'articles.txt'), 'article: no-such-service\ntitle: X\n');
  const r2 = run(['serve', ...freshDb(), '--catalogue', dir, '--listen', '127.0.0.1:0']);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /articles\.txt:1: article no-such-service: no service/);
});
