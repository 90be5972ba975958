-- 0004: retention. The audit log stays append-only, but the retention job
-- may delete entries past their period: it opens audit_gate for one
-- statement inside its own transaction (store_purge). Nothing else does.
CREATE TABLE audit_gate (open INTEGER NOT NULL);
INSERT INTO audit_gate (open) VALUES (0);
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN (SELECT open FROM audit_gate) = 0
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE INDEX sessions_expiry ON sessions (council_id, expires_at);
CREATE INDEX idempotency_keys_age ON idempotency_keys (council_id, created_at);
CREATE INDEX audit_log_age ON audit_log (council_id, created_at);
