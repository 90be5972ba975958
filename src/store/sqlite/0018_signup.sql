-- 0018: residents sign up online: each sign-up's emailed link, kept as the
-- SHA-256 of its token, until it is followed or expires.
CREATE TABLE email_verifications (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE UNIQUE INDEX email_verifications_token ON email_verifications (council_id, token_hash);
CREATE INDEX email_verifications_user ON email_verifications (council_id, user_id);
