-- The inbox searched as the registers are (see 0016): a trigram index over each entry's
-- normalised `search_text`, kept by a trigger in the arrival's own transaction. An entry's
-- search text is written once, when the mail is taken in.
CREATE VIRTUAL TABLE inbox_text USING fts5(
    search_text,
    content = 'inbox_entries',
    content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO inbox_text (inbox_text) VALUES ('rebuild');

CREATE TRIGGER inbox_text_insert AFTER INSERT ON inbox_entries BEGIN
    INSERT INTO inbox_text (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TRIGGER inbox_text_update AFTER UPDATE OF search_text ON inbox_entries
WHEN old.search_text <> new.search_text BEGIN
    INSERT INTO inbox_text (inbox_text, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO inbox_text (rowid, search_text) VALUES (new.id, new.search_text);
END;
