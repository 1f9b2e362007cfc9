-- SQLite's text index places each letter by office, register and year in its rowid (see the
-- SQLite migration of the same number). PostgreSQL's trigram index is on `letters` itself:
-- nothing to change here; the file keeps both trees numbered alike.
SELECT 1;
