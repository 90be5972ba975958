-- 0005: enrolments: a person or household receiving a service, with history.
CREATE TABLE enrolments (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    household_id INTEGER REFERENCES households(id),
    service TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    channel TEXT,
    note TEXT
);
CREATE INDEX enrolments_person ON enrolments (council_id, person_id, id);
CREATE INDEX enrolments_household ON enrolments (council_id, household_id, id);
CREATE INDEX enrolments_service ON enrolments (council_id, service);
