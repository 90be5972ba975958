-- 0002: who may see what: sensitive person fields, staff users and resident
-- accounts, sessions, API tokens, and the append-only audit log.
ALTER TABLE people ADD COLUMN social_care_notes TEXT;
ALTER TABLE people ADD COLUMN safeguarding_notes TEXT;

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT,
    role TEXT NOT NULL,
    department TEXT,
    person_id INTEGER REFERENCES people(id),
    password_hash TEXT,
    failed_logins INTEGER,
    last_failed_at TEXT,
    disabled INTEGER
);
CREATE UNIQUE INDEX users_email ON users (council_id, email);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT,
    expires_at TEXT NOT NULL,
    ip TEXT
);
CREATE UNIQUE INDEX sessions_token ON sessions (council_id, token_hash);
CREATE INDEX sessions_user ON sessions (council_id, user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    department TEXT,
    scopes TEXT,
    revoked INTEGER
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (council_id, token_hash);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id INTEGER,
    actor_role TEXT,
    action TEXT NOT NULL,
    entity TEXT,
    record_id INTEGER,
    person_id INTEGER,
    purpose TEXT,
    ip TEXT,
    route TEXT,
    status INTEGER
);
CREATE INDEX audit_log_person ON audit_log (council_id, person_id, id);
-- Append-only: nothing may change or remove an entry.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
