-- Files the database names that the file store could not give back whole (issue: several
-- machines): missing, or not matching their sha256. Written by `saraban storage verify` and by
-- any read that meets one; shown to the admin and in /metrics until a later check finds the file
-- whole again.
CREATE TABLE file_alarms (
    sha256      TEXT PRIMARY KEY,
    named_in    TEXT NOT NULL,
    problem     TEXT NOT NULL,
    found_at    TEXT NOT NULL
);
