-- The words inside the files (issue: find any letter by any word on it). The text of a file's
-- bytes is read once per content, so a file shared by many letters is read once: one row per
-- sha256, which is also the extraction queue. A worker claims a queued row with a lease (as the
-- outbox does); a worker killed mid-work leaves a lease that runs out, and the row is taken again.
--   state: queued | working | done (text read, maybe empty) | failed (gave up after attempts)
--   method: pdf (its text layer), ocr (Tesseract), docx, xlsx, doc, text, none (no text in it)
CREATE TABLE file_texts (
    sha256        TEXT PRIMARY KEY,
    name          TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL DEFAULT 'queued',
    method        TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    pages         BIGINT NOT NULL DEFAULT 0,
    attempts      BIGINT NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT '',
    lease_owner   TEXT,
    lease_until   TEXT,
    queued_at     TEXT NOT NULL,
    next_try_at   TEXT NOT NULL,
    done_at       TEXT
);
CREATE INDEX file_texts_due ON file_texts (state, next_try_at);
