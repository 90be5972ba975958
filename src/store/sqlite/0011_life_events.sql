-- 0011: life events (told once, acted on everywhere) and the team tasks
-- their playbooks make. One applied report per person, type and date: the
-- same report again changes nothing.
CREATE TABLE life_events (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    type TEXT NOT NULL,
    event_date TEXT NOT NULL,
    channel TEXT,
    details TEXT,
    status TEXT NOT NULL,
    effects TEXT,
    reported_by INTEGER,
    reversed_at TEXT,
    reversal_reason TEXT
);
CREATE INDEX life_events_person ON life_events (council_id, person_id, id);
CREATE UNIQUE INDEX life_events_once ON life_events (council_id, person_id, type, event_date) WHERE status = 'applied';

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    team TEXT NOT NULL,
    title TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id),
    life_event_id INTEGER REFERENCES life_events(id),
    due_date TEXT NOT NULL,
    status TEXT NOT NULL,
    claimed_by INTEGER,
    claimed_at TEXT,
    completed_at TEXT,
    note TEXT
);
CREATE INDEX tasks_team ON tasks (council_id, team, id);
CREATE INDEX tasks_status ON tasks (council_id, status, id);
CREATE INDEX tasks_person ON tasks (council_id, person_id, id);
CREATE INDEX tasks_life_event ON tasks (council_id, life_event_id, id);
