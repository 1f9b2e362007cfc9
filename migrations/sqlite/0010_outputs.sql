-- Official outputs: the office's receipt stamp, and the stamped copies made of registered files.

-- Where the stamp sits on the first page, its text size in points, and whether its box is filled
-- white (it then hides what lies under it on a scan) or left transparent.
ALTER TABLE offices ADD COLUMN stamp_corner TEXT NOT NULL DEFAULT 'top_right';
ALTER TABLE offices ADD COLUMN stamp_font_size INTEGER NOT NULL DEFAULT 11;
ALTER TABLE offices ADD COLUMN stamp_filled INTEGER NOT NULL DEFAULT 1;

-- A stamped copy is derived, never the record: it is keyed by what it was drawn from (the file,
-- the stamp's lines and settings, the drawing code's version) and kept by sha256 like any file.
-- A file that could not be stamped keeps the reason, so it is not tried again on every view.
CREATE TABLE stamped_files (
    stamp_key      TEXT PRIMARY KEY,
    source_sha256  TEXT NOT NULL,
    sha256         TEXT,
    size           INTEGER,
    failure        TEXT,
    -- The original carries a digital signature, which the stamped copy no longer matches.
    signed         INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);

-- ปิดทะเบียนประจำปี: a year's outbound, circular or order register closed after 31 December, with
-- the form PDF rendered at closing kept by sha256. A closed register issues no new number.
CREATE TABLE register_closings (
    office_id  TEXT NOT NULL REFERENCES offices (id),
    register   TEXT NOT NULL,
    year_be    INTEGER NOT NULL,
    closed_at  TEXT NOT NULL,
    closed_by  INTEGER NOT NULL REFERENCES users (id),
    sha256     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    entries    INTEGER NOT NULL,
    PRIMARY KEY (office_id, register, year_be)
);
