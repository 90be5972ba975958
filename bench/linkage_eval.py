#!/usr/bin/env python3
"""linkage_eval.py DB TRUTH.csv — how well frontdoor import linked the extracts of linkage_gen.py.

For every source record: the person it was linked to against who it really is (truth.csv).
  link precision: of the records linked to a person who existed before, the share linked to the right one
  link recall:    of the records of people who existed before, the share linked to them
  pairwise precision/recall/F1 over all records (two records are "together" if they got one person;
  truly together if they are one person, known or new): duplicates and unknown people included.
Prints one line of figures."""
import collections, csv, sqlite3, sys


def main():
    db, truth_path = sys.argv[1], sys.argv[2]
    con = sqlite3.connect(db)
    got = {(s, l): (p, st) for s, l, p, st in con.execute("SELECT system, local_id, person_id, status FROM source_records")}
    maxid = con.execute("SELECT MIN(id) FROM people WHERE id IN (SELECT person_id FROM source_records WHERE status != 'linked')").fetchone()[0]
    truth = {}
    with open(truth_path) as fh:
        for row in csv.DictReader(fh):
            truth[(row["system"], row["local_id"])] = row["truth"]
    known_people = {r[0] for r in con.execute("SELECT id FROM people WHERE id < ?", (maxid or 10**18,))}
    linked_known = right = known_total = known_found = 0
    pairs_pred = collections.Counter()
    pairs_true = collections.Counter()
    pairs_both = collections.Counter()
    missing = 0
    for key, t in truth.items():
        if key not in got:
            missing += 1
            continue
        p, st = got[key]
        if not t.startswith("new-"):
            known_total += 1
            if p == int(t):
                known_found += 1
        if p in known_people:
            linked_known += 1
            right += (str(p) == t)
        pairs_pred[p] += 1
        pairs_true[t] += 1
        pairs_both[(p, t)] += 1
    c2 = lambda n: n * (n - 1) // 2
    tp = sum(c2(n) for n in pairs_both.values())
    pp = sum(c2(n) for n in pairs_pred.values())
    tt = sum(c2(n) for n in pairs_true.values())
    prec = tp / pp if pp else 1.0
    rec = tp / tt if tt else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    print(f"records {len(truth)} (missing {missing}); link precision {right / max(linked_known, 1):.4f}, "
          f"link recall {known_found / max(known_total, 1):.4f}; pairwise precision {prec:.4f}, recall {rec:.4f}, F1 {f1:.4f}")


if __name__ == "__main__":
    main()
