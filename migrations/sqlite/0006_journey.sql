-- The letter's journey inside the office: work groups, forwarding (การปฏิบัติ), the director's
-- endorsement (เกษียนหนังสือ), acknowledgements; and the hash chain over the letter history.

CREATE TABLE work_groups (
    id         TEXT PRIMARY KEY,
    office_id  TEXT NOT NULL REFERENCES offices (id),
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE work_group_members (
    group_id  TEXT NOT NULL REFERENCES work_groups (id),
    user_id   INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);

-- A letter given to a person or a group: forwarded, proposed to the director, assigned by an
-- endorsement (มอบ), or sent back. Acknowledged once by the person (or one member of the group).
CREATE TABLE assignments (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    letter_id        INTEGER NOT NULL REFERENCES letters (id),
    office_id        TEXT NOT NULL REFERENCES offices (id),
    kind             TEXT NOT NULL CHECK (kind IN ('forward', 'propose', 'assign', 'return')),
    from_user_id     INTEGER NOT NULL REFERENCES users (id),
    to_user_id       INTEGER REFERENCES users (id),
    to_group_id      TEXT REFERENCES work_groups (id),
    note             TEXT NOT NULL DEFAULT '',
    due_date         TEXT,
    created_at       TEXT NOT NULL,
    acknowledged_at  TEXT,
    acknowledged_by  INTEGER REFERENCES users (id),
    CHECK ((to_user_id IS NULL) <> (to_group_id IS NULL))
);
CREATE INDEX assignments_by_letter ON assignments (letter_id, id);
CREATE INDEX assignments_by_user ON assignments (to_user_id, acknowledged_at);
CREATE INDEX assignments_by_group ON assignments (to_group_id, acknowledged_at);

CREATE TABLE endorsements (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    letter_id       INTEGER NOT NULL REFERENCES letters (id),
    office_id       TEXT NOT NULL REFERENCES offices (id),
    user_id         INTEGER NOT NULL REFERENCES users (id),
    decision        TEXT NOT NULL,
    text            TEXT NOT NULL DEFAULT '',
    acting_as       TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL
);
CREATE INDEX endorsements_by_letter ON endorsements (letter_id, id);

-- The history is a hash chain: each entry carries the hash of the one before it (in id order,
-- across all letters). The head row serialises writers so the chain never forks.
ALTER TABLE letter_events ADD COLUMN prev_hash TEXT;
ALTER TABLE letter_events ADD COLUMN hash TEXT;
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, hash) VALUES (1, '');

-- A letter sent in-system to a work group of the receiving office: registering it gives it to
-- that group at once.
ALTER TABLE inbox_entries ADD COLUMN for_group TEXT;
