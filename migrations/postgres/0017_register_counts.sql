-- How many entries each register holds per year, and how many of them are cancelled: kept by
-- triggers in the letter's own transaction, so the dashboard and the register pages read a row
-- instead of counting a year of letters (100 000 in a large district). Letters are never deleted
-- and never change office, register or year (see 0001), so insert and cancel are all there is.
-- Registrations of one register-year already queue on their counter row, so this row adds no
-- waiting of its own.
CREATE TABLE register_counts (
    office_id  TEXT NOT NULL REFERENCES offices (id),
    register   TEXT NOT NULL,
    year_be    BIGINT NOT NULL,
    entries    BIGINT NOT NULL,
    cancelled  BIGINT NOT NULL,
    PRIMARY KEY (office_id, register, year_be)
);

INSERT INTO register_counts (office_id, register, year_be, entries, cancelled)
SELECT office_id, register, year_be, COUNT(*),
       SUM(CASE WHEN cancelled_at IS NULL THEN 0 ELSE 1 END)
FROM letters GROUP BY office_id, register, year_be;

CREATE FUNCTION register_counts_follow() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO register_counts (office_id, register, year_be, entries, cancelled)
        VALUES (NEW.office_id, NEW.register, NEW.year_be, 1,
                CASE WHEN NEW.cancelled_at IS NULL THEN 0 ELSE 1 END)
        ON CONFLICT (office_id, register, year_be) DO UPDATE
        SET entries = register_counts.entries + 1,
            cancelled = register_counts.cancelled + EXCLUDED.cancelled;
    ELSIF (OLD.cancelled_at IS NULL) <> (NEW.cancelled_at IS NULL) THEN
        UPDATE register_counts
        SET cancelled = cancelled + CASE WHEN NEW.cancelled_at IS NULL THEN -1 ELSE 1 END
        WHERE office_id = NEW.office_id AND register = NEW.register AND year_be = NEW.year_be;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER register_counts_insert AFTER INSERT ON letters
    FOR EACH ROW EXECUTE FUNCTION register_counts_follow();
CREATE TRIGGER register_counts_cancel AFTER UPDATE OF cancelled_at ON letters
    FOR EACH ROW EXECUTE FUNCTION register_counts_follow();
