-- 0001: councils, the first nouns (person, property, household), idempotency keys.
-- Every table carries council_id; every lookup is by (council_id, ...).
CREATE TABLE councils (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO councils (id, name, created_at) VALUES (1, 'Demo Borough', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    given_name TEXT NOT NULL,
    middle_names TEXT,
    family_name TEXT NOT NULL,
    title TEXT,
    date_of_birth TEXT,
    date_of_death TEXT,
    email TEXT,
    phone TEXT,
    preferred_channel TEXT,
    preferred_language TEXT,
    needs_digital_help INTEGER,
    accessibility_needs TEXT
);
CREATE INDEX people_council ON people (council_id, id);

CREATE TABLE properties (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    uprn TEXT NOT NULL,
    address_line_1 TEXT NOT NULL,
    address_line_2 TEXT,
    address_line_3 TEXT,
    town TEXT,
    postcode TEXT NOT NULL,
    property_type TEXT NOT NULL,
    floor INTEGER,
    has_garden INTEGER,
    tenure TEXT,
    council_tax_band TEXT
);
CREATE UNIQUE INDEX properties_uprn ON properties (council_id, uprn);
CREATE INDEX properties_council ON properties (council_id, id);

CREATE TABLE households (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    property_id INTEGER NOT NULL REFERENCES properties(id),
    name TEXT
);
CREATE INDEX households_council ON households (council_id, id);
CREATE INDEX households_property ON households (council_id, property_id);

CREATE TABLE household_members (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    relationship TEXT NOT NULL,
    from_date TEXT,
    to_date TEXT
);
CREATE INDEX household_members_household ON household_members (council_id, household_id);
CREATE INDEX household_members_person ON household_members (council_id, person_id);

CREATE TABLE idempotency_keys (
    council_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (council_id, key)
);
