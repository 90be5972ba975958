-- 0015: many councils on one deployment. A council is found by the host
-- name its residents and staff use (Host header); unmapped hosts fall back
-- to the server's default council.
ALTER TABLE councils ADD COLUMN host TEXT;
CREATE UNIQUE INDEX councils_host ON councils (host);
