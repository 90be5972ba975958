// cli.test.js: the frontdoor command's flags, errors and exit codes.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { run, freshDb } = require('./helpers');

test('each command has --help', () => {
  for (const cmd of ['serve', 'demo', 'migrate']) {
    const r = run([cmd, '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`usage: frontdoor ${cmd}`));
    assert.match(r.stdout, /--db FILE/);
    assert.match(r.stdout, /--pg URL/);
  }
  assert.equal(run(['--help']).code, 0);
});

test('a bad flag is one line and exit 2', () => {
  for (const args of [['serve', '--bogus'], ['serve', '--threads', 'many'], ['serve', '--threads'], ['demo', '--people', '-3'],
    ['migrate', '--listen', 'x'], ['frobnicate'], [], ['serve', '--db', 'a.db', '--pg', 'postgresql://x']]) {
    const r = run(args);
    assert.equal(r.code, 2, JSON.stringify(args) + r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, args.length ? 1 : r.stderr.trim().split('\n').length);
    assert.doesNotMatch(r.stderr, /AddressSanitizer|runtime error/);
  }
});

test('an unreachable database is one line and exit 2', () => {
  const pg = run(['migrate', '--pg', 'postgresql://nobody@127.0.0.1:1/none?connect_timeout=2']);
  assert.equal(pg.code, 2);
  assert.equal(pg.stderr.trim().split('\n').length, 1, pg.stderr);
  const sq = run(['serve', '--db', '/nonexistent-dir/x.db']);
  assert.equal(sq.code, 2);
  assert.equal(sq.stderr.trim().split('\n').length, 1, sq.stderr);
  const listen = run(['serve', ...freshDb(), '--listen', 'nowhere:80']);
  assert.equal(listen.code, 2);
});

test('migrate is idempotent; demo builds a small borough and refuses a second time', () => {
  const db = freshDb();
  const m1 = run(['migrate', ...db]);
  assert.equal(m1.code, 0, m1.stderr);
  assert.match(m1.stdout, /schema at version \d+/);
  assert.equal(run(['migrate', ...db]).stdout, m1.stdout);
  if (process.env.FD_TEST_PG_URL) return; // the PG database is shared by this run's tests
  const d = run(['demo', ...db, '--people', '500']);
  assert.equal(d.code, 0, d.stderr);
  const m = /(\d+) people, (\d+) households, (\d+) properties/.exec(d.stdout);
  assert.ok(m, d.stdout);
  assert.equal(Number(m[1]), 500);
  assert.ok(Number(m[2]) > 100 && Number(m[3]) >= Number(m[2]) * 0.8, d.stdout);
  assert.match(d.stdout, /dpo@demo\.frontdoor\.example +dpo +[A-Za-z0-9_-]{16}/);
  assert.match(d.stdout, /API token \(agent, read write\): 1\.[0-9a-f]{64}/);
  const again = run(['demo', ...db, '--people', '10']);
  assert.equal(again.code, 2);
});
