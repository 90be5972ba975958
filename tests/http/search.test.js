// search.test.js: finding a resident the way callers describe themselves:
// names with typos and nicknames, date of birth, phone, email; ranked.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { finishServer, serve, request } = require('./helpers');

let srv, port, ids = {};
const u = String(Date.now() % 1e6);
test.before(async () => {
  ({ srv, port } = await serve(['--access-log', 'off']));
  const mk = async (k, body) => { ids[k] = (await request(port, 'POST', '/api/v1/people', { body })).body.id; };
  await mk('ada', { given_name: 'Adaeze', family_name: `Okafor${u}`, date_of_birth: '1984-02-29', phone: `07700 9${u.slice(-5)}`, email: `adaeze${u}@example.org` });
  await mk('chi', { given_name: 'Chidi', family_name: `Okafor${u}`, date_of_birth: '1979-06-01' });
  await mk('bill', { given_name: 'William', family_name: `Hartley${u}`, date_of_birth: '1950-04-09' });
  await mk('billy', { given_name: 'Billy', family_name: `Hartley${u}`, date_of_birth: '1991-10-10' });
});
test.after(() => finishServer(srv));

const search = async (q) => {
  const r = await request(port, 'GET', `/api/v1/people?q=${encodeURIComponent(q)}`);
  assert.equal(r.status, 200, r.text);
  return r.body.items.map((i) => i.id);
};

test('names, with typos and nicknames, ranked best first', async () => {
  assert.deepEqual((await search(`adaeze okafor${u}`))[0], ids.ada);
  const typo = await search(`adaze okafro${u}`);
  assert.equal(typo[0], ids.ada, 'two typos still find her first');
  const family = await search(`okafor${u}`);
  assert.ok(family.includes(ids.ada) && family.includes(ids.chi));
  // Two names are looked up in the name indexes first: a Billy found by
  // prefix must not hide the William that Bill is short for.
  const bills = await search(`bill hartley${u}`);
  assert.ok(bills.includes(ids.bill) && bills.includes(ids.billy), 'Bill finds William and Billy');
  assert.ok((await search(`hartley${u} bill`)).includes(ids.bill), 'either order');
  assert.equal((await search(`wiliam hartley${u}`))[0], ids.bill, 'a letter missed');
  assert.deepEqual(await search('zzqxv'), []);
});

test('date of birth, phone and email', async () => {
  assert.ok((await search('29/02/1984')).includes(ids.ada));
  assert.ok((await search(`okafor${u} 1984-02-29`))[0] === ids.ada);
  assert.equal((await search(`hartley${u} 1950-09-04`))[0], ids.bill, 'day and month swapped');
  assert.ok((await search(`07700 9${u.slice(-5)}`)).includes(ids.ada));
  assert.ok((await search(`adaeze${u}@example.org`)).includes(ids.ada));
});

test('a search with nothing usable is a 400 naming q; every person found is audited', async () => {
  const r = await request(port, 'GET', '/api/v1/people?q=%20%20');
  assert.equal(r.status, 400);
  assert.equal(r.body.errors[0].field, 'q');
});
