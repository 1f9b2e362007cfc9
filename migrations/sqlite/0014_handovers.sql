-- The 20-year handover (ข้อ 58–60): each year, the letters that have reached 20 years are either
-- handed to the National Archives (บัญชีส่งมอบหนังสือครบ 20 ปี, แบบ 21) or kept by the office
-- (บัญชีหนังสือครบ 20 ปีที่ขอเก็บเอง, แบบ 22).

-- The Bangkok date a letter was handed to the National Archives.
ALTER TABLE letters ADD COLUMN handed_over_on TEXT;

CREATE TABLE handovers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id   TEXT NOT NULL REFERENCES offices (id),
    year_be     INTEGER NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    handed_on   TEXT NOT NULL
);

CREATE TABLE handover_items (
    handover_id  INTEGER NOT NULL REFERENCES handovers (id),
    item_no      INTEGER NOT NULL,
    letter_id    INTEGER NOT NULL REFERENCES letters (id),
    -- 1: kept by the office (แบบ 22); 0: handed over (แบบ 21).
    kept         INTEGER NOT NULL,
    PRIMARY KEY (handover_id, item_no),
    UNIQUE (handover_id, letter_id)
);
CREATE INDEX handover_items_by_letter ON handover_items (letter_id);
