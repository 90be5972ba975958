-- 0022: nothing to do on PostgreSQL. On SQLite the read audit is written
-- to a file of its own and moved into audit_log in batches; PostgreSQL
-- writes it to audit_log directly. Kept so that both backends share one
-- numbering.
SELECT 1;
