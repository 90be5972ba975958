-- 0021: search by two names without the full-text index. Most calls give
-- a given and a family name; these two indexes find them (and a misspelt
-- one of the two, by its first letters) in a few index reads
-- (store_sqlite.c, two_name_candidates). ASCII case is ignored, as the
-- queries compare with NOCASE. The full-text index is also merged into one
-- segment: loaded in bulk, it was left in many, and every query read them
-- all.
CREATE INDEX people_family_given ON people (council_id, family_name COLLATE NOCASE, given_name COLLATE NOCASE);
CREATE INDEX people_given_family ON people (council_id, given_name COLLATE NOCASE, family_name COLLATE NOCASE);
INSERT INTO people_fts (people_fts) VALUES ('optimize');
