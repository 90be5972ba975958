-- 0006: tables listed whole in id order per council (store_list without a
-- filter: the borough-wide reports) need a (council_id, id) index; without
-- one SQLite scans a whole secondary index for every page.
CREATE INDEX household_members_council ON household_members (council_id, id);
CREATE INDEX enrolments_council ON enrolments (council_id, id);
CREATE INDEX consents_council ON consents (council_id, id);
