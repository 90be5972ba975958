// sources.test.js: the master record. Departmental records imported from CSV
// (frontdoor import) and through the API, each linked to a person with its
// score and evidence; malformed lines reported by line and skipped; imports
// resumed; matches reviewed; people merged and unmerged exactly, audited.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { finishServer, startServer, request, run, makeToken, setDefaultToken } = require('./helpers');

let srv, port, backOffice, admin, agent, dpo;
// Names no other test uses, so PostgreSQL's shared database does not confuse the matcher.
const tag = Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36);
const GIVEN = ['Wilhelmina', 'Bartholomew', 'Perpetua', 'Ignatius', 'Clementine', 'Thaddeus', 'Philippa', 'Leopold',
  'Rosalind', 'Cornelius', 'Octavia', 'Barnaby', 'Henrietta', 'Ambrose', 'Seraphina', 'Fitzgerald', 'Marguerite',
  'Evander', 'Isadora', 'Peregrine', 'William', 'Margaret', 'Robert', 'Elizabeth'];
const FAMILY = ['Quenby', 'Ashdown', 'Fairweather', 'Hollingsworth', 'Pemberton', 'Wolstenholme', 'Blackwood',
  'Trevelyan', 'Montgomery', 'Ravenscroft', 'Whitlock', 'Cavendish', 'Larkspur', 'Oakhurst', 'Thistlewood',
  'Underhill', 'Vexley', 'Yarborough', 'Zennor', 'Kittredge'];
// Letters only, for surnames: a database kept from an earlier run holds the same people.
const ltag = tag.replace(/[0-9]/g, (d) => 'qwertyuiop'[d]).slice(-5);
const people = []; // {id, given, family, dob, email}

const off = Math.floor(Math.random() * 100000); // birth dates differ from run to run too
function dobOf(i) {
  i += off;
  const y = 1940 + (i * 7) % 60, m = 1 + (i * 5) % 12, d = 1 + (i * 11) % 28;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

test.before(async () => {
  srv = await startServer(['--access-log', 'off']);
  port = srv.port;
  backOffice = makeToken(srv.db, 'back_office', 'revenues_benefits');
  admin = makeToken(srv.db, 'admin');
  agent = makeToken(srv.db, 'agent');
  dpo = makeToken(srv.db, 'dpo');
  setDefaultToken(admin);
  for (let i = 0; i < 240; i++) {
    const p = { given: GIVEN[i % GIVEN.length], family: FAMILY[(i * 7 + Math.floor(i / GIVEN.length)) % FAMILY.length] + ltag + (i % 3 ? '' : '-' + FAMILY[i % FAMILY.length]), dob: dobOf(i) };
    p.email = `${p.given}.${p.family}.${i}.${tag}@example.org`.toLowerCase();
    const r = await request(port, 'POST', '/api/v1/people', { body: { given_name: p.given, family_name: p.family, date_of_birth: p.dob, email: p.email } });
    assert.equal(r.status, 201, r.text);
    p.id = r.body.id;
    people.push(p);
  }
});
test.after(() => finishServer(srv));

const csvField = (v) => (/[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v);
const ddmm = (iso) => { const [y, m, d] = iso.split('-'); return `${d}/${m}/${y}`; };

// A council tax extract: everyone, some corrupted as real extracts are.
function councilTax() {
  const lines = ['account_ref,forename,surname,dob,postcode,address_line_1,email,phone'];
  const truth = new Map();
  people.forEach((p, i) => {
    let g = p.given, f = p.family, dob = ddmm(p.dob), email = p.email;
    if (i % 10 === 1) f = f.slice(0, 2) + f[3] + f[2] + f.slice(4);           // letters swapped
    if (i % 10 === 2) [g, f] = [f, g];                                      // names swapped
    if (i % 10 === 3 && g === 'William') g = 'Bill';                        // nickname
    if (i % 10 === 4) { const [d, m, y] = dob.split('/'); if (Number(d) <= 12) dob = `${m}/${d}/${y}`; } // day and month
    if (i % 10 === 5) email = '';
    if (i % 10 === 6) dob = '';
    const ref = `CT-${tag}-${i}`;
    truth.set(ref, p.id);
    lines.push([ref, g, f, dob, '', `${i} Acre Lane, Flat "${ltag}"`, email, ''].map(csvField).join(','));
  });
  return { lines, truth };
}

test('frontdoor import links every record, reports bad lines by number, and resumes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-import-'));
  const file = path.join(dir, 'council_tax.csv');
  const { lines, truth } = councilTax();
  // Two people the council does not know, one of them twice: one new person each.
  lines.push([`CT-${tag}-n1`, 'Ottoline', `Gravesend${ltag}`, ddmm(dobOf(777)), '', '', `ottoline.${tag}@example.org`, ''].join(','));
  lines.push([`CT-${tag}-n2`, 'Ottoline', `Gravesend${ltag}`, ddmm(dobOf(777)), '', '', `ottoline.${tag}@example.org`, ''].join(','));
  lines.push([`CT-${tag}-n3`, 'Casimir', `Edgecumbe${ltag}`, '22/09/1988', '', '', '', ''].join(','));
  const bad = lines.length + 1; // line numbers of the malformed lines
  lines.push(`CT-${tag}-b1,Ann "Nan",Smith,01/01/1980,,,,`);   // quote inside a field
  lines.push(`CT-${tag}-b2,too,few`);                          // wrong number of fields
  lines.push(`,Nobody,Noid,01/01/1980,,,,`);                   // no id
  lines.push(`CT-${tag}-b4,,,01/01/1980,,,,`);                 // no name: no person can be made
  fs.writeFileSync(file, lines.join('\r\n') + '\r\n');

  const r = run(['import', 'council_tax', file, ...srv.db]);
  assert.equal(r.code, 1, r.stderr);
  for (const [k, why] of [[0, 'quote'], [1, 'expected 8 fields, found 3'], [2, 'id column'], [3, 'given_name']])
    assert.match(r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${bad + k}: .*${why}`), r.stderr);
  assert.match(r.stdout, /4 lines skipped/);
  const m = /(\d+) records: (\d+) linked, (\d+) new, (\d+) for review, (\d+) already imported/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.equal(Number(m[1]), people.length + 4); // the good lines and the nameless one

  // Every known person's record is linked to them, with the evidence.
  let right = 0;
  for (const p of people) {
    const s = await request(port, 'GET', `/api/v1/people/${p.id}/sources`);
    assert.equal(s.status, 200, s.text);
    const mine = s.body.items.filter((x) => x.system === 'council_tax' && x.local_id.startsWith(`CT-${tag}-`));
    if (mine.length === 1 && truth.get(mine[0].local_id) === p.id) right++;
    for (const x of mine) {
      assert.equal(typeof x.fields, 'object');
      assert.equal(x.fields.account_ref, x.local_id);
      if (x.status === 'linked') {
        assert.ok(x.match_score >= 12, JSON.stringify(x));
        assert.ok(x.match_evidence.given_name.level, JSON.stringify(x));
        assert.equal(typeof x.match_evidence.date_of_birth.weight, 'number');
      }
    }
  }
  assert.ok(right >= people.length - 2, `${right} of ${people.length} linked to the right person`);
  // The swapped names were compared crosswise.
  const swapped = (await request(port, 'GET', `/api/v1/people/${people[2].id}/sources`)).body.items[0];
  assert.equal(swapped.match_evidence.given_name.swapped, true, JSON.stringify(swapped));
  assert.equal(swapped.fields.forename, people[2].family);
  // The unknown person given twice is one new person.
  const found = (await request(port, 'GET', `/api/v1/people?q=Ottoline%20Gravesend${ltag}`)).body.items
    .filter((x) => x.family_name === `Gravesend${ltag}`);
  assert.equal(found.length, 1, JSON.stringify(found));
  const ott = (await request(port, 'GET', `/api/v1/people/${found[0].id}/sources`)).body.items;
  assert.deepEqual(ott.map((x) => x.local_id).sort(), [`CT-${tag}-n1`, `CT-${tag}-n2`]);
  assert.deepEqual(ott.map((x) => x.status).sort(), ['linked', 'new']);
  assert.equal(found[0].date_of_birth, dobOf(777));

  // Again: nothing changes, the same lines are reported.
  const again = run(['import', 'council_tax', file, ...srv.db]);
  assert.equal(again.code, 1, again.stderr);
  assert.match(again.stdout, new RegExp(`: ${people.length + 4} records: 0 linked, 0 new, 0 for review, ${people.length + 3} already imported`), again.stdout);
  // A clean file imported twice: 0, then 0 with everything already there.
  const clean = path.join(dir, 'clean.csv');
  fs.writeFileSync(clean, lines.slice(0, 6).join('\n'));
  const c1 = run(['import', 'council_tax', clean, ...srv.db]);
  assert.equal(c1.code, 0, c1.stderr);
  assert.match(c1.stdout, /5 records: 0 linked, 0 new, 0 for review, 5 already imported, 0 lines skipped/);

  // An import stopped half way (here: half the file given), then run again on the whole file.
  const other = lines.slice(1, 201).map((l) => l.replace(`CT-${tag}-`, `CX-${tag}-`));
  const half = path.join(dir, 'half.csv'), whole = path.join(dir, 'whole.csv');
  fs.writeFileSync(half, [lines[0], ...other.slice(0, 100)].join('\n'));
  fs.writeFileSync(whole, [lines[0], ...other].join('\n'));
  const h = run(['import', 'council_tax', half, ...srv.db]);
  assert.equal(h.code, 0, h.stderr);
  assert.match(h.stdout, /: 100 records: 100 linked, 0 new, 0 for review, 0 already imported/, h.stdout);
  const w = run(['import', 'council_tax', whole, ...srv.db]);
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stdout, /: 200 records: 100 linked, 0 new, 0 for review, 100 already imported/, w.stdout);
  for (const p of people.slice(0, 200)) {
    const mine = (await request(port, 'GET', `/api/v1/people/${p.id}/sources`)).body.items.filter((x) => x.local_id.startsWith(`CX-${tag}-`));
    assert.equal(mine.length, 1, `${p.id}: ${JSON.stringify(mine)}`);
  }
});

test('frontdoor import keeps every column as written (quotes, backslashes, accents) and skips a line that is not UTF-8', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-import-'));
  const file = path.join(dir, 'council_tax.csv');
  const p = people[5];
  const header = 'account_ref,forename,surname,dob,postcode,address_line_1,email,phone\n';
  const odd = 'Flat "B", 1\\2 Chaussée\tRd';
  const good = [`CT-${tag}-u1`, p.given, p.family, ddmm(p.dob), '', csvField(odd), p.email, ''].join(',') + '\n';
  const notUtf8 = Buffer.concat([Buffer.from(`CT-${tag}-u2,Ren`), Buffer.from([0xe9, 0x80]), Buffer.from(`,${p.family},,,,,\n`)]);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(header + good), notUtf8]));
  const r = run(['import', 'council_tax', file, ...srv.db]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`council_tax\\.csv:3: not UTF-8 text \\(line skipped\\)`), r.stderr);
  assert.match(r.stdout, /: 1 records: 1 linked, 0 new, 0 for review, 0 already imported, 1 lines skipped/, r.stdout);
  const mine = (await request(port, 'GET', `/api/v1/people/${p.id}/sources`)).body.items.filter((x) => x.local_id.startsWith(`CT-${tag}-u`));
  assert.equal(mine.length, 1, JSON.stringify(mine));
  assert.deepEqual(mine[0].fields, { account_ref: `CT-${tag}-u1`, forename: p.given, surname: p.family, dob: ddmm(p.dob), postcode: '', address_line_1: odd, email: p.email, phone: '' });
});

test('frontdoor import refuses what it cannot read', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-import-'));
  const file = path.join(dir, 'x.csv');
  fs.writeFileSync(file, 'ref,name\n1,Ann\n');
  for (const [args, why] of [
    [['import'], /give the system and the CSV file/],
    [['import', 'council_tax'], /give the system and the CSV file/],
    [['import', 'no_such_system', file], /no system 'no_such_system'/],
    [['import', 'council_tax', path.join(dir, 'missing.csv')], /missing\.csv/],
    [['import', 'council_tax', file], /the header has no column 'account_ref'/],
    [['import', 'council_tax', file, '--bogus'], /unknown option/],
  ]) {
    const r = run([...args, ...srv.db]);
    assert.equal(r.code, 2, args.join(' ') + r.stderr);
    assert.match(r.stderr, why);
  }
  assert.match(run(['import', '--help']).stdout, /usage: frontdoor import SYSTEM FILE\.csv/);
});

test('records through the API: per-record outcomes; bad batches change nothing', async () => {
  const p = people[10];
  const url = '/api/v1/sources/libraries/records';
  const body = { records: [
    { card_number: `L-${tag}-1`, first_name: p.given, surname: p.family, date_of_birth: p.dob, email: p.email, postcode: '', phone: null },
    { card_number: `L-${tag}-2`, first_name: 'Ermintrude', surname: `Coldharbour${ltag}`, date_of_birth: dobOf(999) },
  ] };
  const r = await request(port, 'POST', url, { body, headers: { Authorization: 'Bearer ' + backOffice } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.items[0].outcome, 'linked', r.text);
  assert.equal(r.body.items[0].person_id, p.id);
  assert.ok(r.body.items[0].score >= 12);
  assert.equal(r.body.items[1].outcome, 'new', r.text);
  assert.ok(r.body.items[1].person_id > 0);
  const again = await request(port, 'POST', url, { body, headers: { Authorization: 'Bearer ' + backOffice } });
  assert.deepEqual(again.body.items.map((x) => x.outcome), ['already', 'already']);
  assert.equal(again.body.already, 2);

  for (const [b, field] of [
    [{}, 'records'],
    [{ records: [] }, 'records'],
    [{ records: [{ first_name: 'No', surname: 'Id' }] }, 'records[0].card_number'],
    [{ records: [{ card_number: 'x', first_name: 5 }] }, 'records[0].first_name'],
    [{ records: ['x'] }, 'records[0]'],
    [{ records: [{ card_number: 'x' }], extra: 1 }, 'extra'],
  ]) {
    const bad = await request(port, 'POST', url, { body: b, headers: { Authorization: 'Bearer ' + backOffice } });
    assert.equal(bad.status, 422, JSON.stringify(b) + bad.text);
    assert.ok(bad.body.errors.some((e) => e.field === field), JSON.stringify(b) + bad.text);
  }
  // Subject access shows what systems sent; erasure removes it and keeps the ids.
  const ex = await request(port, 'GET', `/api/v1/people/${p.id}/export`, { headers: { Authorization: 'Bearer ' + dpo } });
  assert.equal(ex.status, 200, ex.text);
  assert.ok(ex.body.source_records.some((x) => x.system === 'libraries' && x.fields.email === p.email), ex.text);
  const erm = r.body.items[1].person_id;
  const er = await request(port, 'POST', `/api/v1/people/${erm}/erase`, { body: { reason: 'asked to be forgotten' }, headers: { Authorization: 'Bearer ' + dpo } });
  assert.equal(er.status, 200, er.text);
  const left = (await request(port, 'GET', `/api/v1/people/${erm}/sources`)).body.items;
  assert.deepEqual(left.map((x) => [x.local_id, x.fields]), [[`L-${tag}-2`, {}]]);
  assert.equal((await request(port, 'POST', '/api/v1/sources/no_such/records', { body })).status, 404);
  assert.equal((await request(port, 'POST', url, { body, headers: { Authorization: 'Bearer ' + agent } })).status, 403);
});

test('review: a close record opens a match; accept merges, unmerge reopens, reject keeps apart', async () => {
  const p = people[20]; // the same names, born the same year but another day: close, not sure
  const osa = (a, b) => { // edits between two strings (optimal string alignment)
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
    return d[a.length][b.length];
  };
  const [y, mo, da] = p.dob.split('-');
  let other = null;
  for (let m = 1; m <= 12 && !other; m++) for (let d = 1; d <= 28 && !other; d++) {
    const md = String(m).padStart(2, '0') + String(d).padStart(2, '0');
    if (osa(mo + da, md) >= 3 && md !== da + mo) other = `${y}-${md.slice(0, 2)}-${md.slice(2)}`;
  }
  const r = await request(port, 'POST', '/api/v1/sources/housing/records', {
    body: { records: [{ tenancy_ref: `P-${tag}-1`, first_name: p.given, last_name: p.family, date_of_birth: other }] },
    headers: { Authorization: 'Bearer ' + backOffice } });
  assert.equal(r.status, 200, r.text);
  const item = r.body.items[0];
  assert.equal(item.outcome, 'review', r.text);
  assert.ok(item.match_id > 0 && item.person_id !== p.id);

  const list = await request(port, 'GET', '/api/v1/matches/review?limit=1000', { headers: { Authorization: 'Bearer ' + backOffice } });
  assert.equal(list.status, 200, list.text);
  const m = list.body.items.find((x) => x.id === item.match_id);
  assert.ok(m, list.text);
  assert.equal(m.status, 'open');
  assert.equal(m.candidate.id, p.id);
  assert.equal(m.person.id, item.person_id);
  assert.equal(m.source_record.local_id, `P-${tag}-1`);
  assert.equal(m.evidence.family_name.level, 'exact');
  assert.equal(m.evidence.date_of_birth.level, 'same_year');
  assert.ok(m.score >= 4 && m.score < 12);

  const acc = await request(port, 'POST', `/api/v1/matches/${m.id}/accept`, { headers: { Authorization: 'Bearer ' + backOffice } });
  assert.equal(acc.status, 200, acc.text);
  assert.equal(acc.body.status, 'accepted');
  assert.ok(acc.body.merge_id > 0);
  assert.equal((await request(port, 'GET', `/api/v1/people/${item.person_id}`)).body.merged_into, p.id);
  const srcs = (await request(port, 'GET', `/api/v1/people/${p.id}/sources`)).body.items;
  assert.ok(srcs.some((x) => x.local_id === `P-${tag}-1` && x.status === 'linked'), JSON.stringify(srcs));
  assert.equal((await request(port, 'POST', `/api/v1/matches/${m.id}/accept`, { headers: { Authorization: 'Bearer ' + backOffice } })).status, 409);

  const un = await request(port, 'POST', `/api/v1/merges/${acc.body.merge_id}/unmerge`);
  assert.equal(un.status, 200, un.text);
  assert.ok(un.body.reversed_at);
  const back = (await request(port, 'GET', `/api/v1/people/${item.person_id}/sources`)).body.items;
  assert.deepEqual(back.map((x) => [x.local_id, x.status]), [[`P-${tag}-1`, 'review']]);
  assert.equal((await request(port, 'GET', `/api/v1/people/${item.person_id}`)).body.merged_into, null);

  const rej = await request(port, 'POST', `/api/v1/matches/${m.id}/reject`, { headers: { Authorization: 'Bearer ' + backOffice } });
  assert.equal(rej.status, 200, rej.text);
  assert.equal(rej.body.status, 'rejected');
  assert.ok(rej.body.decided_at);
  const after = (await request(port, 'GET', '/api/v1/matches/review?limit=1000', { headers: { Authorization: 'Bearer ' + backOffice } })).body.items;
  assert.ok(!after.some((x) => x.id === m.id));
  assert.equal((await request(port, 'POST', `/api/v1/matches/${m.id}/reject`, { headers: { Authorization: 'Bearer ' + backOffice } })).status, 409);
  assert.equal((await request(port, 'GET', '/api/v1/matches/review', { headers: { Authorization: 'Bearer ' + agent } })).status, 403);
});

test('merge moves everything to the kept person, deletes nothing; unmerge restores exactly; both audited', async () => {
  const a = (await request(port, 'POST', '/api/v1/people', { body: { given_name: 'Aurelia', family_name: `Merge${tag}` } })).body;
  const b = (await request(port, 'POST', '/api/v1/people', { body: { given_name: 'Aurelie', family_name: `Merge${tag}`, email: `aurelie.${tag}@example.org` } })).body;
  const c1 = await request(port, 'POST', '/api/v1/contacts', { body: { channel: 'phone', type: 'information', person_id: b.id } });
  assert.equal(c1.status, 201, c1.text);
  const en = await request(port, 'POST', `/api/v1/people/${b.id}/enrolments`, { body: { service: 'library-membership' } });
  assert.equal(en.status, 201, en.text);
  const co = await request(port, 'POST', `/api/v1/people/${b.id}/consents`, { body: { purpose: 'newsletters', given: true } });
  assert.equal(co.status, 201, co.text);
  const src = await request(port, 'POST', '/api/v1/sources/libraries/records', {
    body: { records: [{ card_number: `L-${tag}-m`, first_name: 'Aurelie', surname: `Merge${tag}`, email: `aurelie.${tag}@example.org` }] } });
  assert.equal(src.body.items[0].person_id, b.id, src.text);
  const snapshot = async (id) => ({
    contacts: (await request(port, 'GET', `/api/v1/people/${id}/contacts`)).body.items.map((x) => x.id),
    enrolments: (await request(port, 'GET', `/api/v1/people/${id}/enrolments`)).body.items.map((x) => x.id),
    // Everything but the version and time of the last change, which move on
    // so that nobody holding a copy from before can write over the restored row.
    consents: JSON.stringify((await request(port, 'GET', `/api/v1/people/${id}/consents`)).body.items
      .map(({ version, updated_at, ...rest }) => rest)),
    sources: (await request(port, 'GET', `/api/v1/people/${id}/sources`)).body.items.map((x) => x.id),
  });
  const beforeA = await snapshot(a.id), beforeB = await snapshot(b.id);
  assert.equal(beforeB.contacts.length, 2); // the one logged, and the enrolment's
  assert.equal(beforeB.sources.length, 1);

  for (const [body, field] of [[{}, 'other_id'], [{ other_id: a.id }, 'other_id'], [{ other_id: 999999999 }, 'other_id'], [{ other_id: b.id, x: 1 }, 'x']]) {
    const bad = await request(port, 'POST', `/api/v1/people/${a.id}/merge`, { body });
    assert.equal(bad.status, 422, bad.text);
    assert.ok(bad.body.errors.some((e) => e.field === field), bad.text);
  }
  assert.equal((await request(port, 'POST', `/api/v1/people/${a.id}/merge`, { body: { other_id: b.id }, headers: { Authorization: 'Bearer ' + backOffice } })).status, 403);

  const mg = await request(port, 'POST', `/api/v1/people/${a.id}/merge`, { body: { other_id: b.id } });
  assert.equal(mg.status, 201, mg.text);
  assert.equal(mg.body.kept_id, a.id);
  assert.equal(mg.body.merged_id, b.id);
  assert.ok(mg.body.moved.length >= 4, mg.text);
  const afterA = await snapshot(a.id), afterB = await snapshot(b.id);
  assert.deepEqual(afterB.contacts, []);
  assert.deepEqual(afterB.sources, []);
  assert.deepEqual(afterA.contacts.sort(), [...beforeA.contacts, ...beforeB.contacts].sort());
  assert.deepEqual(afterA.sources.sort(), [...beforeA.sources, ...beforeB.sources].sort());
  assert.deepEqual(afterA.enrolments.sort(), [...beforeA.enrolments, ...beforeB.enrolments].sort());
  const gone = await request(port, 'GET', `/api/v1/people/${b.id}`);
  assert.equal(gone.status, 200); // kept, marked
  assert.equal(gone.body.merged_into, a.id);
  // Search shows the kept person only; after the unmerge, both again.
  const searched = async () => (await request(port, 'GET', `/api/v1/people?q=Merge${tag}`)).body.items.map((x) => x.id);
  const whileMerged = await searched();
  assert.ok(whileMerged.includes(a.id) && !whileMerged.includes(b.id), JSON.stringify(whileMerged));
  assert.equal((await request(port, 'POST', `/api/v1/people/${a.id}/merge`, { body: { other_id: b.id } })).status, 409);

  const un = await request(port, 'POST', `/api/v1/merges/${mg.body.id}/unmerge`, { headers: { Authorization: 'Bearer ' + dpo } });
  assert.equal(un.status, 200, un.text);
  assert.deepEqual(await snapshot(a.id), beforeA);
  assert.deepEqual(await snapshot(b.id), beforeB);
  assert.equal((await request(port, 'GET', `/api/v1/people/${b.id}`)).body.merged_into, null);
  const afterUnmerge = await searched();
  assert.ok(afterUnmerge.includes(a.id) && afterUnmerge.includes(b.id), JSON.stringify(afterUnmerge));
  assert.equal((await request(port, 'POST', `/api/v1/merges/${mg.body.id}/unmerge`)).status, 409);
  assert.equal((await request(port, 'POST', '/api/v1/merges/999999999/unmerge')).status, 404);

  for (const id of [a.id, b.id]) {
    const audit = (await request(port, 'GET', `/api/v1/people/${id}/audit?limit=1000`, { headers: { Authorization: 'Bearer ' + dpo } })).body.items;
    const actions = audit.map((x) => x.action);
    assert.ok(actions.includes('merge') && actions.includes('unmerge'), JSON.stringify(actions));
  }
});
