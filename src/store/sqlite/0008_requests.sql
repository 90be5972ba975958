-- 0008: requests (cases) and their timelines.
CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    service TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id),
    uprn TEXT,
    latitude TEXT,
    longitude TEXT,
    address TEXT,
    description TEXT NOT NULL,
    answers TEXT,
    channel TEXT,
    status TEXT NOT NULL,
    status_reason TEXT,
    team TEXT,
    promised_date TEXT,
    resolved_at TEXT
);
CREATE INDEX requests_council ON requests (council_id, id);
CREATE INDEX requests_person ON requests (council_id, person_id, id);
CREATE INDEX requests_team ON requests (council_id, team, id);
CREATE INDEX requests_status ON requests (council_id, status, id);

CREATE TABLE request_updates (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    kind TEXT NOT NULL,
    status TEXT,
    text TEXT,
    public INTEGER,
    author_id INTEGER
);
CREATE INDEX request_updates_request ON request_updates (council_id, request_id, id);
