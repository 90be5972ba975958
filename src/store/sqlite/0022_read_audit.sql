-- 0022: the read audit's own file. Entries of reads are written to
-- FILE-audit (table read_audit) and moved into audit_log in batches
-- (store_sqlite.c, sq_audit_settle); audit_moved holds the last id moved,
-- committed with the moved rows, so none is moved twice.
CREATE TABLE audit_moved (moved INTEGER NOT NULL);
INSERT INTO audit_moved (moved) VALUES (0);
