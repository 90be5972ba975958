-- 0015: many councils on one deployment. The PostgreSQL twin of src/store/sqlite/0015_council_hosts.sql.
ALTER TABLE councils ADD COLUMN host TEXT;
CREATE UNIQUE INDEX councils_host ON councils (host);
