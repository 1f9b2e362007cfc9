-- The spine: offices, users, logins, registers and their numbering (SQLite).
-- Times are RFC 3339 UTC text (sortable); flags are 0/1 integers, so one code path serves
-- SQLite and PostgreSQL through sqlx's Any driver.

CREATE TABLE offices (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('district', 'school', 'unit')),
    parent_id           TEXT REFERENCES offices (id),
    prefix              TEXT NOT NULL,
    email               TEXT,
    circular_numbering  TEXT NOT NULL DEFAULT 'shared_with_outbound'
                        CHECK (circular_numbering IN ('shared_with_outbound', 'separate')),
    active_year_be      INTEGER,
    created_at          TEXT NOT NULL
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id      TEXT NOT NULL REFERENCES offices (id),
    username       TEXT NOT NULL UNIQUE,
    full_name      TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL CHECK (role IN ('admin', 'director', 'deputy', 'clerk', 'staff')),
    password_hash  TEXT NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    csrf        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

CREATE TABLE api_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    label       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);

-- The calendar years an office keeps registers for (กำหนดปีปฏิทิน).
CREATE TABLE register_years (
    office_id   TEXT NOT NULL REFERENCES offices (id),
    year_be     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (office_id, year_be)
);

-- One running number per (office, series, Buddhist-era year).
CREATE TABLE counters (
    office_id     TEXT NOT NULL REFERENCES offices (id),
    series        TEXT NOT NULL CHECK (series IN ('inbound', 'outbound', 'circular', 'order')),
    year_be       INTEGER NOT NULL,
    start_number  INTEGER NOT NULL CHECK (start_number >= 1),
    next_number   INTEGER NOT NULL CHECK (next_number >= start_number),
    PRIMARY KEY (office_id, series, year_be)
);

CREATE TABLE letters (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id       TEXT NOT NULL REFERENCES offices (id),
    register        TEXT NOT NULL CHECK (register IN ('inbound', 'outbound', 'circular', 'order')),
    series          TEXT NOT NULL,
    year_be         INTEGER NOT NULL,
    number          INTEGER NOT NULL,
    doc_no          TEXT NOT NULL,
    doc_date        TEXT NOT NULL,
    sender          TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    action          TEXT NOT NULL DEFAULT '',
    remark          TEXT NOT NULL DEFAULT '',
    speed           TEXT NOT NULL,
    secrecy         TEXT NOT NULL,
    letter_type     TEXT NOT NULL,
    registered_at   TEXT NOT NULL,
    registered_by   INTEGER NOT NULL REFERENCES users (id),
    received_at     TEXT,
    cancelled_at    TEXT,
    cancelled_by    INTEGER REFERENCES users (id),
    cancel_reason   TEXT,
    updated_at      TEXT NOT NULL,
    -- Normalised copies for search: Arabic digits, lower case, folded spaces.
    search_all      TEXT NOT NULL,
    search_subject  TEXT NOT NULL,
    search_doc_no   TEXT NOT NULL,
    search_sender   TEXT NOT NULL,
    search_recipient TEXT NOT NULL,
    UNIQUE (office_id, series, year_be, number)
);
CREATE INDEX letters_by_register ON letters (office_id, register, year_be, number);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    letter_id    INTEGER NOT NULL REFERENCES letters (id),
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (letter_id, position)
);

-- What happened to each entry: registered, edited (with the old values), cancelled.
CREATE TABLE letter_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    letter_id  INTEGER NOT NULL REFERENCES letters (id),
    kind       TEXT NOT NULL,
    actor_id   INTEGER REFERENCES users (id),
    at         TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX letter_events_by_letter ON letter_events (letter_id, id);

-- The register is the legal record: an entry is cancelled, never deleted, and its number,
-- year and register never change.
CREATE TRIGGER letters_never_deleted BEFORE DELETE ON letters
BEGIN
    SELECT RAISE(ABORT, 'registered letters are never deleted; cancel them instead');
END;

CREATE TRIGGER letters_number_fixed BEFORE UPDATE OF office_id, register, series, year_be, number ON letters
WHEN NEW.office_id IS NOT OLD.office_id OR NEW.register IS NOT OLD.register
  OR NEW.series IS NOT OLD.series OR NEW.year_be IS NOT OLD.year_be OR NEW.number IS NOT OLD.number
BEGIN
    SELECT RAISE(ABORT, 'a register number never changes');
END;

CREATE TRIGGER letter_events_append_only_update BEFORE UPDATE ON letter_events
BEGIN
    SELECT RAISE(ABORT, 'letter history is append-only');
END;

CREATE TRIGGER letter_events_append_only_delete BEFORE DELETE ON letter_events
BEGIN
    SELECT RAISE(ABORT, 'letter history is append-only');
END;
