-- A text index for search (issue: find any letter in a million). Thai has no spaces between
-- words, so the index is of trigrams: any run of three characters of the normalised
-- `search_all` (which holds every field) finds the letters that contain it. A word is asked as
-- a phrase of its trigrams, which matches exactly where the word is a substring, as the LIKE scan
-- did (so the index keeps positions: `detail=full`; without them it cannot answer phrases, and
-- checking LIKE on every candidate cost more than the positions save).
-- The index reads its text from `letters` (external content) and triggers keep it in the same
-- transaction as the letter's row. Letters are never deleted, so no delete trigger.
CREATE VIRTUAL TABLE letters_text USING fts5(
    search_all,
    content = 'letters',
    content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO letters_text (letters_text) VALUES ('rebuild');

CREATE TRIGGER letters_text_insert AFTER INSERT ON letters BEGIN
    INSERT INTO letters_text (rowid, search_all) VALUES (new.id, new.search_all);
END;

CREATE TRIGGER letters_text_update AFTER UPDATE OF search_all ON letters
WHEN old.search_all <> new.search_all BEGIN
    INSERT INTO letters_text (letters_text, rowid, search_all) VALUES ('delete', old.id, old.search_all);
    INSERT INTO letters_text (rowid, search_all) VALUES (new.id, new.search_all);
END;

-- The list of all registers (newest first) and searches without a register.
CREATE INDEX letters_by_time ON letters (office_id, registered_at, id);

-- The dashboard's counts per register of a year, read from the index alone.
CREATE INDEX letters_by_year ON letters (office_id, year_be, register, secrecy, cancelled_at);

-- The duplicate check at registration reads the office's inbound letters of the same date.
CREATE INDEX letters_by_doc_date ON letters (office_id, doc_date);

-- The same check by file, and a file shared by many letters found from its bytes' hash.
CREATE INDEX attachments_by_sha256 ON attachments (sha256);

-- A search's count joins each of the index's matches to its letter: from this narrow index of
-- what the conditions ask rather than from the letter's wide row.
CREATE INDEX letters_search_scope ON letters (id, office_id, register, year_be, secrecy);
