-- 0012 (PostgreSQL twin of sqlite/0012_informed.sql): keeping the resident informed, and Open311.
-- A reporter who is not a known person (an Open311 client's user, say)
-- leaves a name and an email or phone for the messages about their request;
-- slip_warned_at remembers that the "it will be late" message was queued,
-- so it is never sent twice; open311_token is the Open311 token of a
-- request made through GeoReport v2.
ALTER TABLE requests ADD COLUMN contact_name TEXT;
ALTER TABLE requests ADD COLUMN contact_email TEXT;
ALTER TABLE requests ADD COLUMN contact_phone TEXT;
ALTER TABLE requests ADD COLUMN media_url TEXT;
ALTER TABLE requests ADD COLUMN slip_warned_at TEXT;
ALTER TABLE requests ADD COLUMN open311_token TEXT;
CREATE INDEX requests_service ON requests (council_id, service, id);
CREATE INDEX requests_open311_token ON requests (council_id, open311_token);
-- The client's own id for an update it sent (FixMyStreet's update_id).
ALTER TABLE request_updates ADD COLUMN external_id TEXT;
CREATE INDEX request_updates_created ON request_updates (council_id, created_at, id);
-- The sender's work list: queued messages by when they are due.
CREATE INDEX notifications_due ON notifications (council_id, next_attempt_at, id);
CREATE INDEX notifications_about_id ON notifications (council_id, about_id, id);
CREATE INDEX requests_created ON requests (council_id, created_at, id);
