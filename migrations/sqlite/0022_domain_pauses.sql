-- Receiving domains the outbox leaves alone for a while (issue: be trusted where we send): a
-- domain that answered "try later" (4xx, greylisting) or could not be reached is paused, with a
-- pause that doubles with each failure in a row; every process's outbox skips its letters until
-- paused_until, so one domain's trouble costs one attempt, not one per letter, and never holds
-- back the letters to other domains. A delivery to the domain clears the row.
CREATE TABLE domain_pauses (
    domain        TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    paused_until  TEXT NOT NULL,
    last_reason   TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL
);
