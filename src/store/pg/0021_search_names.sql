-- 0021: nothing to do on PostgreSQL. On SQLite this migration adds two
-- name indexes for search by given and family name and merges the
-- full-text index; PostgreSQL's search (pg_trgm) is unchanged. Kept so
-- that both backends share one numbering.
SELECT 1;
