-- 0017: faster search. The full-text index keeps names only, with prefix
-- indexes (2 and 3 letters) and each name's Soundex codes (fd_names_soundex,
-- a function every frontdoor connection registers), so a misspelt name
-- ("Mrak", "Smiht") still finds its person among a few candidates. Date of
-- birth, email and phone are looked up in ordinary indexes: in the
-- full-text index their common pieces ("example", "org", "05") made every
-- such search read most of the borough.
DROP TRIGGER people_fts_insert;
DROP TRIGGER people_fts_update;
DROP TRIGGER people_fts_delete;
DROP TABLE people_fts;
CREATE VIRTUAL TABLE people_fts USING fts5(
    council_id UNINDEXED, given_name, middle_names, family_name, sounds,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
INSERT INTO people_fts (rowid, council_id, given_name, middle_names, family_name, sounds)
SELECT id, council_id, given_name, middle_names, family_name,
       fd_names_soundex(given_name, middle_names, family_name)
FROM people;
CREATE TRIGGER people_fts_insert AFTER INSERT ON people BEGIN
    INSERT INTO people_fts (rowid, council_id, given_name, middle_names, family_name, sounds)
    VALUES (new.id, new.council_id, new.given_name, new.middle_names, new.family_name,
            fd_names_soundex(new.given_name, new.middle_names, new.family_name));
END;
CREATE TRIGGER people_fts_update AFTER UPDATE OF given_name, middle_names, family_name ON people BEGIN
    DELETE FROM people_fts WHERE rowid = old.id;
    INSERT INTO people_fts (rowid, council_id, given_name, middle_names, family_name, sounds)
    VALUES (new.id, new.council_id, new.given_name, new.middle_names, new.family_name,
            fd_names_soundex(new.given_name, new.middle_names, new.family_name));
END;
CREATE TRIGGER people_fts_delete AFTER DELETE ON people BEGIN
    DELETE FROM people_fts WHERE rowid = old.id;
END;
CREATE INDEX people_dob ON people (council_id, date_of_birth);
CREATE INDEX people_email ON people (council_id, lower(email));
CREATE INDEX people_phone_digits ON people (council_id, replace(replace(replace(phone, ' ', ''), '+', ''), '-', ''));
