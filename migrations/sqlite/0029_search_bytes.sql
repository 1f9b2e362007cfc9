-- PostgreSQL keeps a narrow one-byte-per-letter copy of the search text for searches of common
-- words (see the PostgreSQL migration of the same number). SQLite's FTS5 index answers those
-- from its own keys: nothing to add here; the file keeps both trees numbered alike.
SELECT 1;
