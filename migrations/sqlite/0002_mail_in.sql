-- Mail in: mailboxes, what was fetched from them, the office inbox (หนังสือรับ), quarantine,
-- and notices (auto-replies, delivery reports) that are never letters.

ALTER TABLE offices ADD COLUMN auto_register INTEGER NOT NULL DEFAULT 0;

CREATE TABLE mailboxes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id      TEXT NOT NULL REFERENCES offices (id),
    host           TEXT NOT NULL,
    port           INTEGER NOT NULL,
    security       TEXT NOT NULL CHECK (security IN ('none', 'starttls', 'tls')),
    ca_file        TEXT,
    username       TEXT NOT NULL,
    -- Needed to log in, so stored; never shown back by any page, command or API.
    password       TEXT NOT NULL,
    folders        TEXT NOT NULL DEFAULT 'INBOX',
    poll_secs      INTEGER NOT NULL DEFAULT 60,
    move_to        TEXT,
    enabled        INTEGER NOT NULL DEFAULT 1,
    removed_at     TEXT,
    created_at     TEXT NOT NULL
);

-- Per mailbox folder: the epoch (UIDVALIDITY), the highest UID committed, and liveness.
CREATE TABLE mailbox_folders (
    mailbox_id            INTEGER NOT NULL REFERENCES mailboxes (id),
    folder                TEXT NOT NULL,
    uidvalidity           INTEGER NOT NULL DEFAULT 0,
    last_uid              INTEGER NOT NULL DEFAULT 0,
    last_success_at       TEXT,
    last_attempt_at       TEXT,
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    last_error            TEXT,
    PRIMARY KEY (mailbox_id, folder)
);

-- One fetcher per mailbox at a time, even with several serve processes on one database.
CREATE TABLE mailbox_leases (
    mailbox_id  INTEGER PRIMARY KEY REFERENCES mailboxes (id),
    holder      TEXT NOT NULL,
    until       TEXT NOT NULL
);

-- Every message taken from a mailbox folder, once: the unique key makes re-fetching harmless.
CREATE TABLE mail_receipts (
    mailbox_id   INTEGER NOT NULL REFERENCES mailboxes (id),
    folder       TEXT NOT NULL,
    uidvalidity  INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    outcome      TEXT NOT NULL,
    ref_id       INTEGER,
    raw_sha256   TEXT,
    at           TEXT NOT NULL,
    PRIMARY KEY (mailbox_id, folder, uidvalidity, uid)
);

CREATE TABLE inbox_entries (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id            TEXT NOT NULL REFERENCES offices (id),
    source               TEXT NOT NULL CHECK (source IN ('email', 'in-system', 'manual')),
    mailbox_id           INTEGER REFERENCES mailboxes (id),
    message_id           TEXT,
    -- normalised Message-ID + the letter's content: the same letter twice is one entry
    dedupe_key           TEXT NOT NULL,
    raw_sha256           TEXT,
    raw_size             INTEGER NOT NULL DEFAULT 0,
    subject              TEXT NOT NULL,
    doc_no               TEXT NOT NULL DEFAULT '',
    doc_date             TEXT,
    sender               TEXT NOT NULL DEFAULT '',
    sender_email         TEXT NOT NULL DEFAULT '',
    recipient            TEXT NOT NULL DEFAULT '',
    body_text            TEXT NOT NULL DEFAULT '',
    speed                TEXT NOT NULL DEFAULT 'normal',
    secrecy              TEXT NOT NULL DEFAULT 'normal',
    received_at          TEXT NOT NULL,
    refused_attachments  TEXT NOT NULL DEFAULT '[]',
    letter_id            INTEGER REFERENCES letters (id),
    registered_at        TEXT,
    created_at           TEXT NOT NULL,
    search_text          TEXT NOT NULL DEFAULT '',
    UNIQUE (office_id, dedupe_key)
);
CREATE INDEX inbox_by_office ON inbox_entries (office_id, received_at);

CREATE TABLE inbox_attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id     INTEGER NOT NULL REFERENCES inbox_entries (id),
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    UNIQUE (entry_id, position)
);

CREATE TABLE quarantine (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id    TEXT NOT NULL REFERENCES offices (id),
    mailbox_id   INTEGER REFERENCES mailboxes (id),
    origin       TEXT NOT NULL DEFAULT '',
    raw_sha256   TEXT,
    raw_size     INTEGER NOT NULL DEFAULT 0,
    subject      TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'released', 'dismissed')),
    entry_id     INTEGER REFERENCES inbox_entries (id),
    created_at   TEXT NOT NULL,
    resolved_at  TEXT
);

-- Auto-replies and delivery reports: recorded, matched by the original Message-ID, never letters.
CREATE TABLE mail_notices (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id            TEXT NOT NULL REFERENCES offices (id),
    kind                 TEXT NOT NULL CHECK (kind IN ('auto_reply', 'delivery_report')),
    message_id           TEXT,
    original_message_id  TEXT,
    action               TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL DEFAULT '',
    recipient            TEXT NOT NULL DEFAULT '',
    diagnostic           TEXT NOT NULL DEFAULT '',
    subject              TEXT NOT NULL DEFAULT '',
    raw_sha256           TEXT,
    received_at          TEXT NOT NULL
);
CREATE INDEX mail_notices_by_original ON mail_notices (original_message_id);

ALTER TABLE letters ADD COLUMN inbox_entry_id INTEGER REFERENCES inbox_entries (id);
