-- 0017: faster search on SQLite (see src/store/sqlite/0017_search_fast.sql).
-- PostgreSQL already looks up date of birth, email and phone in ordinary
-- indexes and names by trigram (0009); nothing changes here.
SELECT 1;
