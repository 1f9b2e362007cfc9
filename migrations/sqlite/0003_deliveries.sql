-- Sending registered letters: one row per recipient, and the send requests (a double click
-- with the same idempotency key sends once).

CREATE TABLE send_requests (
    letter_id        INTEGER NOT NULL REFERENCES letters (id),
    idempotency_key  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (letter_id, idempotency_key)
);

CREATE TABLE deliveries (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    letter_id            INTEGER NOT NULL REFERENCES letters (id),
    office_id            TEXT NOT NULL REFERENCES offices (id),
    idempotency_key      TEXT NOT NULL,
    channel              TEXT NOT NULL CHECK (channel IN ('email', 'in-system')),
    recipient_office_id  TEXT REFERENCES offices (id),
    recipient_email      TEXT,
    status               TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'delivered', 'registered', 'delayed', 'failed')),
    inbox_entry_id       INTEGER REFERENCES inbox_entries (id),
    recipient_number     INTEGER,
    recipient_year_be    INTEGER,
    recipient_registered_at TEXT,
    message_id           TEXT,
    attempts             INTEGER NOT NULL DEFAULT 0,
    error                TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX deliveries_by_letter ON deliveries (letter_id);
CREATE INDEX deliveries_by_entry ON deliveries (inbox_entry_id);
