-- Mail out: the SMTP account of each office, the e-mail outbox (deliveries with channel 'email'),
-- what a receiving saraban learned from the sender's machine-readable facts, and acceptance
-- notices coming back.

CREATE TABLE smtp_accounts (
    office_id   TEXT PRIMARY KEY REFERENCES offices (id),
    host        TEXT NOT NULL,
    port        INTEGER NOT NULL,
    security    TEXT NOT NULL CHECK (security IN ('none', 'starttls', 'tls')),
    ca_file     TEXT,
    username    TEXT,
    -- Needed to log in, so stored; never shown back by any page, command or API.
    password    TEXT,
    from_addr   TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- 'letter': a registered letter to a recipient; 'notice': our acceptance notice back to the
-- saraban that sent us a letter (it belongs to our inbound letter).
ALTER TABLE deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'letter';
-- The exact bytes sent (by sha256 in the file store), built once, re-sent as they are.
ALTER TABLE deliveries ADD COLUMN raw_sha256 TEXT;
-- For a notice: the Message-ID of the letter it answers.
ALTER TABLE deliveries ADD COLUMN answers_message_id TEXT;
-- The retry window starts here (the send, or the clerk's retry).
ALTER TABLE deliveries ADD COLUMN queued_at TEXT;
ALTER TABLE deliveries ADD COLUMN next_attempt_at TEXT;
ALTER TABLE deliveries ADD COLUMN last_attempt_at TEXT;
ALTER TABLE deliveries ADD COLUMN lease_owner TEXT;
ALTER TABLE deliveries ADD COLUMN lease_until TEXT;
CREATE INDEX deliveries_due ON deliveries (channel, status, next_attempt_at);
CREATE INDEX deliveries_by_message ON deliveries (message_id);

-- Facts a sending saraban gave in machine-readable form, and where to send our acceptance notice.
ALTER TABLE inbox_entries ADD COLUMN letter_type TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox_entries ADD COLUMN notify_to TEXT;

-- Acceptance notices join the notice kinds (SQLite cannot alter a CHECK: rebuild the table).
CREATE TABLE mail_notices_v2 (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id            TEXT NOT NULL REFERENCES offices (id),
    kind                 TEXT NOT NULL CHECK (kind IN ('auto_reply', 'delivery_report', 'acceptance')),
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
INSERT INTO mail_notices_v2 SELECT * FROM mail_notices;
DROP TABLE mail_notices;
ALTER TABLE mail_notices_v2 RENAME TO mail_notices;
CREATE INDEX mail_notices_by_original ON mail_notices (original_message_id);
