#!/usr/bin/python3
"""febrl_f1.py PAIRS.csv TRUE_PAIRS.csv [--show N] [--margin]

Pair-level precision, recall and F1 of a `frontdoor dedupe` (or `link`)
output against a FEBRL true-pairs file. A predicted pair is one whose
match_class is "link" (review pairs are not counted as predicted); pairs are
unordered. Prints one line:

  tp=.. fp=.. fn=.. precision=.. recall=.. f1=..

and, with --show N, up to N false positives and N false negatives after it.
With --margin it also prints "lowest_true=.. highest_false=..": the lowest
score of a true pair and the highest score of any other pair in PAIRS (run
dedupe with a very low --review so every candidate pair is there); any
threshold between the two gives the same links. Standard library only."""
import csv
import sys


def read_pairs(path, want_class=None):
    out = {}
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        ia, ib = 0, 1
        ic = header.index("match_class") if "match_class" in header else None
        isc = header.index("score") if "score" in header else None
        for row in r:
            if not row:
                continue
            if want_class and ic is not None and row[ic] != want_class:
                continue
            a, b = row[ia].strip(), row[ib].strip()
            key = (a, b) if a < b else (b, a)
            out[key] = float(row[isc]) if isc is not None else None
    return out


def main(argv):
    show = 0
    margin = False
    args = []
    i = 1
    while i < len(argv):
        if argv[i] == "--margin":
            margin = True
            i += 1
            continue
        if argv[i] == "--show" and i + 1 < len(argv):
            show = int(argv[i + 1])
            i += 2
            continue
        args.append(argv[i])
        i += 1
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    predicted = read_pairs(args[0], "link")
    truth = read_pairs(args[1])
    tp = sum(1 for p in predicted if p in truth)
    fp = len(predicted) - tp
    fn = sum(1 for p in truth if p not in predicted)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"tp={tp} fp={fp} fn={fn} precision={precision:.5f} recall={recall:.5f} f1={f1:.5f}")
    if margin:
        everything = read_pairs(args[0])
        t = [v for p, v in everything.items() if p in truth]
        f = [v for p, v in everything.items() if p not in truth]
        print("lowest_true=%s highest_false=%s" % ("%.3f" % min(t) if t else "none", "%.3f" % max(f) if f else "none"))
    if show:
        for p in sorted(p for p in predicted if p not in truth)[:show]:
            print(f"FP {p[0]} {p[1]} score={predicted[p]}")
        everything = read_pairs(args[0])
        for p in sorted(p for p in truth if p not in predicted)[:show]:
            print(f"FN {p[0]} {p[1]} score={everything.get(p, 'below review')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
