-- The inbox searched as the registers are (see 0016): a pg_trgm GIN index on each entry's
-- normalised `search_text`, which serves `LIKE '%word%'` as it is.
CREATE INDEX inbox_search_trgm ON inbox_entries USING gin (search_text gin_trgm_ops);
