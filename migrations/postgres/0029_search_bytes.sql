-- A narrow copy of each letter's search text, one byte per Thai letter, for the searches whose
-- words are in a good share of the letters (store::search, `count_common_words`). pg_trgm's
-- index cannot help those: for a word in a third of 1 000 000 letters it decodes some 300 000
-- postings per trigram (~130 ms) before a row is checked. They are counted instead by reading
-- the newest letters in order and testing the words on each, and that reading is what costs:
-- about 1.3 µs a letter through `letters`' wide rows (~1.6 kB, 5 to a page) with `strpos` over
-- UTF-8, where every Thai letter takes three bytes. Here a letter's row is ~250 bytes and the
-- test is a plain byte search: counting ประชุม to 10 001 took 21 ms here against 40 ms there.
--
-- The one-byte form: ASCII as it is, the Thai block's letters as in TIS-620 (WIN874 is a
-- superset), anything else as `€` (0x80). A word is searched here only when it has no `€` and
-- nothing outside that set (domain::search::one_byte_form spells the same mapping), so a match
-- here is exactly a match in `search_all`.
CREATE FUNCTION saraban_search_bytes(t TEXT) RETURNS BYTEA
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT convert_to(regexp_replace(t, '[^\x01-\x7f\u0e01-\u0e3a\u0e3f-\u0e5b]', '€', 'g'), 'WIN874')
$$;

-- The columns a list's scope and order ask of a letter (the secrecy rule reads `secrecy` and
-- `id`), and the text. Kept by the triggers below in the letter's own transaction.
CREATE TABLE letters_text_bytes (
    id            BIGINT PRIMARY KEY REFERENCES letters (id) ON DELETE CASCADE,
    office_id     TEXT   NOT NULL,
    register      TEXT   NOT NULL,
    year_be       BIGINT NOT NULL,
    number        BIGINT NOT NULL,
    registered_at TEXT   NOT NULL,
    secrecy       TEXT   NOT NULL,
    text          BYTEA  NOT NULL
);
CREATE INDEX letters_text_bytes_by_register
    ON letters_text_bytes (office_id, register, year_be, number, id);
CREATE INDEX letters_text_bytes_by_time ON letters_text_bytes (office_id, registered_at, id);

CREATE FUNCTION letters_text_bytes_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO letters_text_bytes
        (id, office_id, register, year_be, number, registered_at, secrecy, text)
    VALUES (new.id, new.office_id, new.register, new.year_be, new.number, new.registered_at,
            new.secrecy, saraban_search_bytes(new.search_all))
    ON CONFLICT (id) DO UPDATE SET
        office_id = excluded.office_id, register = excluded.register,
        year_be = excluded.year_be, number = excluded.number,
        registered_at = excluded.registered_at, secrecy = excluded.secrecy,
        text = excluded.text;
    RETURN NULL;
END
$$;
CREATE TRIGGER letters_text_bytes_insert AFTER INSERT ON letters
    FOR EACH ROW EXECUTE FUNCTION letters_text_bytes_keep();
CREATE TRIGGER letters_text_bytes_update
    AFTER UPDATE OF search_all, office_id, register, year_be, number, registered_at, secrecy
    ON letters FOR EACH ROW
    WHEN (old.search_all IS DISTINCT FROM new.search_all
          OR old.office_id IS DISTINCT FROM new.office_id
          OR old.register IS DISTINCT FROM new.register
          OR old.year_be IS DISTINCT FROM new.year_be
          OR old.number IS DISTINCT FROM new.number
          OR old.registered_at IS DISTINCT FROM new.registered_at
          OR old.secrecy IS DISTINCT FROM new.secrecy)
    EXECUTE FUNCTION letters_text_bytes_keep();

INSERT INTO letters_text_bytes (id, office_id, register, year_be, number, registered_at, secrecy, text)
    SELECT id, office_id, register, year_be, number, registered_at, secrecy,
           saraban_search_bytes(search_all)
    FROM letters;
