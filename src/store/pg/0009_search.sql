-- 0009: search. The PostgreSQL twin of src/store/sqlite/0009_search.sql:
-- trigram indexes (pg_trgm) on names, and expression indexes for date of
-- birth, phone digits and email; candidates are ranked in C.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX people_given_trgm ON people USING gin (lower(given_name) gin_trgm_ops);
CREATE INDEX people_family_trgm ON people USING gin (lower(family_name) gin_trgm_ops);
CREATE INDEX people_dob ON people (council_id, date_of_birth);
CREATE INDEX people_phone_digits ON people (council_id, (regexp_replace(phone, '[^0-9]', '', 'g')));
CREATE INDEX people_email ON people (council_id, lower(email));
