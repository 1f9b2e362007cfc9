-- A file is stored once and named by any number of rows (its sha256 is its name). Removing one
-- that no row names (`saraban storage gc`, lawful destruction) must not cross a writer that has
-- just found the same bytes already stored and is about to name them. The two meet here:
-- the writer first records its reuse, then looks for a removal of those bytes (and, if there
-- is one, waits for it to end and stores the bytes again when they are gone); a remover first
-- records its removal, then looks for rows and recent reuses naming the file, and leaves alone
-- any it finds. Whichever records first is seen by the other.
CREATE TABLE file_reuses (
    sha256      TEXT NOT NULL,
    claimed_at  TEXT NOT NULL
);
CREATE INDEX file_reuses_by_sha ON file_reuses (sha256);
-- Writers forget reuses older than a day as they record theirs.
CREATE INDEX file_reuses_by_time ON file_reuses (claimed_at);

CREATE TABLE file_removals (
    sha256      TEXT PRIMARY KEY,
    started_at  TEXT NOT NULL,
    -- NULL while the file is being removed.
    finished_at TEXT
);
