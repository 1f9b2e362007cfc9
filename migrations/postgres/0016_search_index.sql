-- A text index for search (issue: find any letter in a million). Thai has no spaces between
-- words, so the index is of trigrams (pg_trgm, a trusted extension since PostgreSQL 13: the
-- database's owner may create it). A GIN trigram index serves `LIKE '%…%'` directly, so a
-- search means exactly what the LIKE scan meant, only faster. `search_all` holds every field;
-- a search in one field also asks `search_all`, which the index serves.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX letters_search_trgm ON letters USING gin (search_all gin_trgm_ops);

-- The list of all registers (newest first) and searches without a register.
CREATE INDEX letters_by_time ON letters (office_id, registered_at, id);

-- The dashboard's counts per register of a year, read from the index alone.
CREATE INDEX letters_by_year ON letters (office_id, year_be, register, secrecy, cancelled_at);

-- The duplicate check at registration reads the office's inbound letters of the same date.
CREATE INDEX letters_by_doc_date ON letters (office_id, doc_date);

-- The same check by file, and a file shared by many letters found from its bytes' hash.
CREATE INDEX attachments_by_sha256 ON attachments (sha256);
