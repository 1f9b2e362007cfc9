-- Lawful destruction (ข้อ 66–70): the destruction lists (บัญชีหนังสือขอทำลาย, แบบ 25), their
-- committees and items. A destroyed letter's register row stays, marked; only its files go.

ALTER TABLE letters ADD COLUMN destroyed_at TEXT;
-- ทำลายแล้ว ตามบัญชีหนังสือขอทำลาย ปี … ลำดับที่ … (what the register shows).
ALTER TABLE letters ADD COLUMN destroyed_note TEXT;

CREATE TABLE disposals (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id      TEXT NOT NULL REFERENCES offices (id),
    year_be        INTEGER NOT NULL,
    state          TEXT NOT NULL,
    created_by     INTEGER NOT NULL REFERENCES users (id),
    created_at     TEXT NOT NULL,
    appointed_by   INTEGER REFERENCES users (id),
    submitted_at   TEXT,
    approved_by    INTEGER REFERENCES users (id),
    approved_at    TEXT,
    sent_on        TEXT,
    answered_on    TEXT,
    destroyed_by   INTEGER REFERENCES users (id),
    destroyed_at   TEXT,
    files_removed  INTEGER NOT NULL DEFAULT 0,
    bytes_freed    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX disposals_by_office ON disposals (office_id, year_be);

-- The committee: one chair and at least two members; each confirms the review.
CREATE TABLE disposal_members (
    disposal_id   INTEGER NOT NULL REFERENCES disposals (id),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    is_chair      INTEGER NOT NULL DEFAULT 0,
    confirmed_at  TEXT,
    PRIMARY KEY (disposal_id, user_id)
);

-- One line of the list: the letter, the committee's decision (การพิจารณา), and whether the
-- National Archives asked to keep it.
CREATE TABLE disposal_items (
    disposal_id    INTEGER NOT NULL REFERENCES disposals (id),
    item_no        INTEGER NOT NULL,
    letter_id      INTEGER NOT NULL REFERENCES letters (id),
    decision       TEXT NOT NULL DEFAULT 'pending',
    keep_until_be  INTEGER,
    archives_keep  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (disposal_id, item_no),
    UNIQUE (disposal_id, letter_id)
);
CREATE INDEX disposal_items_by_letter ON disposal_items (letter_id);
