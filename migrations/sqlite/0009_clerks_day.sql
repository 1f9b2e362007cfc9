-- The clerk's day: files added after registering, files held while a form is corrected, mail
-- dismissed from the inbox, sessions that end when idle, work that is done, and a backstop
-- that an office's own `ที่` never repeats within a year.

-- A file replaced later is kept (its blob and its row) and only hidden from the letter.
ALTER TABLE attachments ADD COLUMN removed_at TEXT;

-- Files a clerk already chose on a form that came back with an error, held for a short while so
-- they need not be picked again. Only the user who uploaded them can use the token.
CREATE TABLE held_files (
    token        TEXT PRIMARY KEY,
    office_id    TEXT NOT NULL REFERENCES offices (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

-- A mail that is not a letter leaves the waiting list with a reason; it stays findable.
ALTER TABLE inbox_entries ADD COLUMN dismissed_at TEXT;
ALTER TABLE inbox_entries ADD COLUMN dismissed_by INTEGER REFERENCES users (id);
ALTER TABLE inbox_entries ADD COLUMN dismiss_reason TEXT;

-- The idle timeout reads when a session was last used.
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;

-- ดำเนินการแล้ว: the step after รับทราบ.
ALTER TABLE assignments ADD COLUMN done_at TEXT;
ALTER TABLE assignments ADD COLUMN done_by INTEGER REFERENCES users (id);
ALTER TABLE assignments ADD COLUMN done_note TEXT;

-- An e-mail written to the outbox folder (no SMTP set up) is not "sent": it says so.
ALTER TABLE deliveries ADD COLUMN saved_to_file INTEGER NOT NULL DEFAULT 0;

CREATE UNIQUE INDEX letters_own_doc_no ON letters (office_id, year_be, doc_no) WHERE register <> 'inbound';
