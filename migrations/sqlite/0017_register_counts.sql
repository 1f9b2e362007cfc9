-- How many entries each register holds per year, and how many of them are cancelled: kept by
-- triggers in the letter's own transaction, so the dashboard and the register pages read a row
-- instead of counting a year of letters (100 000 in a large district). Letters are never deleted
-- and never change office, register or year (see 0001), so insert and cancel are all there is.
CREATE TABLE register_counts (
    office_id  TEXT NOT NULL REFERENCES offices (id),
    register   TEXT NOT NULL,
    year_be    INTEGER NOT NULL,
    entries    INTEGER NOT NULL,
    cancelled  INTEGER NOT NULL,
    PRIMARY KEY (office_id, register, year_be)
);

INSERT INTO register_counts (office_id, register, year_be, entries, cancelled)
SELECT office_id, register, year_be, COUNT(*),
       SUM(CASE WHEN cancelled_at IS NULL THEN 0 ELSE 1 END)
FROM letters GROUP BY office_id, register, year_be;

CREATE TRIGGER register_counts_insert AFTER INSERT ON letters BEGIN
    INSERT INTO register_counts (office_id, register, year_be, entries, cancelled)
    VALUES (new.office_id, new.register, new.year_be, 1,
            CASE WHEN new.cancelled_at IS NULL THEN 0 ELSE 1 END)
    ON CONFLICT (office_id, register, year_be) DO UPDATE
    SET entries = entries + 1, cancelled = cancelled + excluded.cancelled;
END;

CREATE TRIGGER register_counts_cancel AFTER UPDATE OF cancelled_at ON letters
WHEN (old.cancelled_at IS NULL) <> (new.cancelled_at IS NULL) BEGIN
    UPDATE register_counts
    SET cancelled = cancelled + CASE WHEN new.cancelled_at IS NULL THEN -1 ELSE 1 END
    WHERE office_id = new.office_id AND register = new.register AND year_be = new.year_be;
END;
