#!/usr/bin/env python3
"""linkage_gen.py DB OUTDIR [SEED] — source extracts of the demo borough for bench/linkage.sh.

Reads every person of the demo database (SQLite) with their current home, and writes two
departmental extracts as the systems of catalogue/sources.txt would send them:

  council_tax.csv          account_ref, forename, surname, dob (DD/MM/YYYY), postcode, address_line_1, email, phone
  electoral_register.csv   elector_number, first_names, surname, dob (YYYY-MM-DD), postcode, address

Each person appears once in each, with realistic corruption (typos, swapped names, nicknames,
day and month swapped, missing fields), plus about 5% injected duplicate records (a second
account for the same person, corrupted again) and 2% people the council does not know yet
(they must become new people, their duplicates joined to them). truth.csv says who each record
really is: system,local_id,truth (a person id, or new-N).
"""
import csv, os, random, sqlite3, sys

NICK = {"william": "Bill", "robert": "Bob", "margaret": "Peggy", "elizabeth": "Liz", "richard": "Dick",
        "james": "Jim", "michael": "Mike", "catherine": "Kate", "katherine": "Kate", "thomas": "Tom",
        "joseph": "Joe", "daniel": "Dan", "samuel": "Sam", "jennifer": "Jen", "rebecca": "Becky",
        "alexander": "Alex", "christopher": "Chris", "jonathan": "Jon", "matthew": "Matt", "benjamin": "Ben",
        "charlotte": "Lottie", "victoria": "Vicky", "patricia": "Pat", "anthony": "Tony", "edward": "Ed",
        "susan": "Sue", "deborah": "Debbie", "nicholas": "Nick", "andrew": "Andy", "david": "Dave"}
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def typo(rng, s):
    if len(s) < 3:
        return s
    i = rng.randrange(1, len(s) - 1)
    k = rng.random()
    if k < 0.3:
        return s[:i] + s[i + 1:]                       # dropped letter
    if k < 0.6:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]     # swapped neighbours
    if k < 0.8:
        return s[:i] + rng.choice(LETTERS) + s[i + 1:]  # wrong letter
    return s[:i] + s[i] + s[i:]                        # doubled letter


def corrupt(rng, p, heavy):
    g, f, dob, pc, addr, email, phone = p
    r = rng.random
    scale = 2.0 if heavy else 1.0
    if r() < 0.08 * scale:
        g = typo(rng, g)
    if r() < 0.08 * scale:
        f = typo(rng, f)
    if r() < 0.04 and g.lower() in NICK:
        g = NICK[g.lower()]
    if r() < 0.02 * scale:
        g, f = f, g
    if r() < 0.05:
        g, f = g.upper(), f.upper()
    if dob:
        y, m, d = dob.split("-")
        if r() < 0.03 * scale and int(d) <= 12 and d != m:
            dob = f"{y}-{d}-{m}"
        elif r() < 0.03 * scale:
            dob = f"{y}-{m}-{int(d) % 28 + 1:02d}"
        if r() < 0.05 * scale:
            dob = ""
    if r() < 0.04 * scale:
        pc = ""
    elif pc and r() < 0.05:
        pc = pc.replace(" ", "").lower()
    if r() < 0.05 * scale:
        addr = ""
    elif addr and r() < 0.05:
        addr = typo(rng, addr)
    if r() < 0.2:
        email = ""
    if r() < 0.2:
        phone = ""
    return [g, f, dob, pc, addr, email, phone]


def main():
    db, out = sys.argv[1], sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    os.makedirs(out, exist_ok=True)
    con = sqlite3.connect(db)
    rows = con.execute("""
        SELECT p.id, p.given_name, p.family_name, COALESCE(p.date_of_birth, ''), COALESCE(pr.postcode, ''),
               COALESCE(pr.address_line_1, ''), COALESCE(p.email, ''), COALESCE(p.phone, '')
        FROM people p
        LEFT JOIN household_members m ON m.council_id = p.council_id AND m.person_id = p.id AND m.to_date IS NULL
        LEFT JOIN households h ON h.id = m.household_id
        LEFT JOIN properties pr ON pr.id = h.property_id
        WHERE p.council_id = 1 GROUP BY p.id ORDER BY p.id""").fetchall()
    people = [(str(r[0]), list(r[1:])) for r in rows]
    # People the council does not know yet: a first name, a surname, a birth date and a home
    # each taken from a different known person.
    unknown = []
    for k in range(len(people) // 50):
        a, b, c, d = (rng.choice(people)[1] for _ in range(4))
        unknown.append((f"new-{k}", [a[0], b[1], c[2], d[3], d[4], "", ""]))
    truth = open(os.path.join(out, "truth.csv"), "w", newline="")
    tw = csv.writer(truth)
    tw.writerow(["system", "local_id", "truth"])
    for system, prefix, header, dmy in (
            ("council_tax", "CT", ["account_ref", "forename", "surname", "dob", "postcode", "address_line_1", "email", "phone"], True),
            ("electoral_register", "ER", ["elector_number", "first_names", "surname", "dob", "postcode", "address"], False)):
        recs = []
        n = 0
        for who, p in people + unknown:
            copies = 2 if rng.random() < 0.05 else 1
            for c in range(copies):
                n += 1
                recs.append((f"{prefix}{n:07d}", who, corrupt(rng, p, c > 0)))
        rng.shuffle(recs)
        with open(os.path.join(out, system + ".csv"), "w", newline="") as fh:
            w = csv.writer(fh, lineterminator="\r\n")
            w.writerow(header)
            for lid, who, v in recs:
                g, f, dob, pc, addr, email, phone = v
                if dmy and dob:
                    y, m, d = dob.split("-")
                    dob = f"{d}/{m}/{y}"
                row = [lid, g, f, dob, pc, addr] + ([email, phone] if system == "council_tax" else [])
                w.writerow(row)
                tw.writerow([system, lid, who])
        print(f"{system}: {len(recs)} records ({len(unknown)} people not known to the council)")
    truth.close()


if __name__ == "__main__":
    main()
