-- 0009: search for the contact centre. A full-text index of people's
-- names, date of birth, phone (digits only) and email, kept in step by
-- triggers; candidates are ranked in C (src/core/search.c).
CREATE VIRTUAL TABLE people_fts USING fts5(
    council_id UNINDEXED, given_name, middle_names, family_name, date_of_birth, phone_digits, email,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO people_fts (rowid, council_id, given_name, middle_names, family_name, date_of_birth, phone_digits, email)
SELECT id, council_id, given_name, middle_names, family_name, date_of_birth,
       replace(replace(replace(phone, ' ', ''), '+', ''), '-', ''), email
FROM people;
CREATE TRIGGER people_fts_insert AFTER INSERT ON people BEGIN
    INSERT INTO people_fts (rowid, council_id, given_name, middle_names, family_name, date_of_birth, phone_digits, email)
    VALUES (new.id, new.council_id, new.given_name, new.middle_names, new.family_name, new.date_of_birth,
            replace(replace(replace(new.phone, ' ', ''), '+', ''), '-', ''), new.email);
END;
CREATE TRIGGER people_fts_update AFTER UPDATE ON people BEGIN
    DELETE FROM people_fts WHERE rowid = old.id;
    INSERT INTO people_fts (rowid, council_id, given_name, middle_names, family_name, date_of_birth, phone_digits, email)
    VALUES (new.id, new.council_id, new.given_name, new.middle_names, new.family_name, new.date_of_birth,
            replace(replace(replace(new.phone, ' ', ''), '+', ''), '-', ''), new.email);
END;
CREATE TRIGGER people_fts_delete AFTER DELETE ON people BEGIN
    DELETE FROM people_fts WHERE rowid = old.id;
END;
