-- 0016: the master record. Records from departmental systems (council tax,
-- housing, electoral register ...), each linked to a person with the score
-- and the evidence per field; candidate matches a person should decide;
-- merges of two people, reversible; the linkage model last estimated.
CREATE TABLE source_records (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    system TEXT NOT NULL,
    local_id TEXT NOT NULL,
    fields TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id),
    status TEXT NOT NULL,
    match_score TEXT,
    match_evidence TEXT,
    origin TEXT
);
CREATE INDEX source_records_council ON source_records (council_id, id);
CREATE UNIQUE INDEX source_records_local ON source_records (council_id, system, local_id);
CREATE INDEX source_records_person ON source_records (council_id, person_id, id);

CREATE TABLE source_matches (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    source_record_id INTEGER NOT NULL REFERENCES source_records(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    candidate_id INTEGER NOT NULL REFERENCES people(id),
    score TEXT NOT NULL,
    evidence TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by INTEGER,
    decided_at TEXT,
    merge_id INTEGER
);
CREATE INDEX source_matches_council ON source_matches (council_id, id);
CREATE INDEX source_matches_status ON source_matches (council_id, status, id);
CREATE INDEX source_matches_person ON source_matches (council_id, person_id, id);
CREATE INDEX source_matches_candidate ON source_matches (council_id, candidate_id, id);

CREATE TABLE person_merges (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    kept_id INTEGER NOT NULL REFERENCES people(id),
    merged_id INTEGER NOT NULL REFERENCES people(id),
    moved TEXT NOT NULL,
    merged_by INTEGER,
    reversed_at TEXT,
    reversed_by INTEGER
);
CREATE INDEX person_merges_council ON person_merges (council_id, id);
CREATE INDEX person_merges_kept ON person_merges (council_id, kept_id, id);
CREATE INDEX person_merges_merged ON person_merges (council_id, merged_id, id);

CREATE TABLE match_models (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    name TEXT NOT NULL,
    records INTEGER,
    model TEXT NOT NULL
);
CREATE INDEX match_models_name ON match_models (council_id, name);

ALTER TABLE people ADD COLUMN merged_into INTEGER;
