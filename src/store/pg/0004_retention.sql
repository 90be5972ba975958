-- 0004: retention. The PostgreSQL twin of src/store/sqlite/0004_retention.sql:
-- deletes from the audit log pass only inside a transaction that has set
-- frontdoor.retention = 'on' (SET LOCAL, by store_purge).
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('frontdoor.retention', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE INDEX sessions_expiry ON sessions (council_id, expires_at);
CREATE INDEX idempotency_keys_age ON idempotency_keys (council_id, created_at);
CREATE INDEX audit_log_age ON audit_log (council_id, created_at);
