-- Filing (ข้อ 54–55) and lending (ข้อ 61–65).

-- The office's filing plan: its file codes (รหัสแฟ้ม) and their names.
CREATE TABLE file_codes (
    office_id   TEXT NOT NULL REFERENCES offices (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (office_id, code)
);

-- A finished matter filed under a file code: once per letter. filed_on is the Bangkok date
-- (วันเก็บ); the year of filed_on orders ทะเบียนหนังสือเก็บ (แบบ 20).
CREATE TABLE filings (
    letter_id   INTEGER PRIMARY KEY REFERENCES letters (id),
    office_id   TEXT NOT NULL REFERENCES offices (id),
    file_code   TEXT NOT NULL,
    filed_on    TEXT NOT NULL,
    filed_by    INTEGER NOT NULL REFERENCES users (id),
    filed_at    TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX filings_by_office ON filings (office_id, filed_on);

-- บัตรยืมหนังสือ (แบบ 24): a filed letter (its paper original, or its files) lent to an officer
-- of the office or to someone outside saraban. An outsider's loan names the director or deputy
-- who approved it.
CREATE TABLE loans (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id          TEXT NOT NULL REFERENCES offices (id),
    letter_id          INTEGER NOT NULL REFERENCES letters (id),
    item               TEXT NOT NULL,
    borrower_user_id   INTEGER REFERENCES users (id),
    borrower_name      TEXT NOT NULL,
    borrower_position  TEXT NOT NULL DEFAULT '',
    borrower_unit      TEXT NOT NULL DEFAULT '',
    borrower_email     TEXT NOT NULL DEFAULT '',
    purpose            TEXT NOT NULL,
    handed_by          INTEGER NOT NULL REFERENCES users (id),
    approved_by        INTEGER REFERENCES users (id),
    borrowed_on        TEXT NOT NULL,
    due_on             TEXT NOT NULL,
    returned_on        TEXT,
    returned_by        TEXT,
    received_by        INTEGER REFERENCES users (id),
    reminded_on        TEXT,
    created_at         TEXT NOT NULL
);
CREATE INDEX loans_by_office ON loans (office_id, returned_on, due_on);
CREATE INDEX loans_by_letter ON loans (letter_id);

-- An overdue loan's reminder, to the borrower and to the officer who lent it, through the outbox.
ALTER TABLE deliveries ADD COLUMN loan_id INTEGER REFERENCES loans (id);
