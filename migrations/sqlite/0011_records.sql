-- The record's life (หมวด 3): retention, legal holds, and registers brought in from before saraban.

-- อายุการเก็บ (ข้อ 57): the class, and the years when another law sets them. Letters registered
-- before this migration keep the regulation's general rule, 10 years.
ALTER TABLE letters ADD COLUMN retention_class TEXT NOT NULL DEFAULT 'ten_years';
ALTER TABLE letters ADD COLUMN retention_years INTEGER;
-- A row brought in from the office's earlier register (นำเข้าจากทะเบียนเดิม): by whom and when.
ALTER TABLE letters ADD COLUMN imported_at TEXT;
ALTER TABLE letters ADD COLUMN imported_by INTEGER REFERENCES users (id);

-- How "เก็บถึง พ.ศ. X" is counted: not confirmed in the regulation, so a setting.
ALTER TABLE offices ADD COLUMN retention_counting TEXT NOT NULL DEFAULT 'end_of_year';

-- The office's default retention per register and/or letter type ('' = any); the most specific
-- rule that matches applies to a new letter, and 10 years when none does.
CREATE TABLE retention_defaults (
    office_id        TEXT NOT NULL REFERENCES offices (id),
    register         TEXT NOT NULL DEFAULT '',
    letter_type      TEXT NOT NULL DEFAULT '',
    retention_class  TEXT NOT NULL,
    retention_years  INTEGER,
    PRIMARY KEY (office_id, register, letter_type)
);

-- A legal hold (a court, an investigation, a request) stops a letter's destruction until lifted.
CREATE TABLE legal_holds (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    letter_id    INTEGER NOT NULL REFERENCES letters (id),
    reason       TEXT NOT NULL,
    placed_by    INTEGER NOT NULL REFERENCES users (id),
    placed_at    TEXT NOT NULL,
    lifted_by    INTEGER REFERENCES users (id),
    lifted_at    TEXT,
    lift_reason  TEXT
);
CREATE INDEX legal_holds_by_letter ON legal_holds (letter_id);
