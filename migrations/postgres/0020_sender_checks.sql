-- Who sent a mail (issue: trust what arrives). One row per inbox entry that came by e-mail: the
-- verdict the clerk sees, and every check behind it (DKIM signatures, SPF, DMARC, ARC, as JSON),
-- beside the raw message's sha256 they were made on.
--   verdict: verified | unverified | pending (DNS trouble: checked again at next_check_at) | spoofed
--   hold: 1 = never registered on arrival; the clerk decides (held_decided_by when they did)
CREATE TABLE sender_checks (
    entry_id       BIGINT PRIMARY KEY REFERENCES inbox_entries (id),
    raw_sha256     TEXT,
    verdict        TEXT NOT NULL,
    domain         TEXT NOT NULL DEFAULT '',
    method         TEXT NOT NULL DEFAULT '',
    claimed        TEXT NOT NULL DEFAULT '',
    hold           BIGINT NOT NULL DEFAULT 0,
    checks         TEXT NOT NULL DEFAULT '{}',
    checked_at     TEXT NOT NULL,
    attempts       BIGINT NOT NULL DEFAULT 1,
    next_check_at  TEXT
);
CREATE INDEX sender_checks_due ON sender_checks (verdict, next_check_at);

-- Senders an office confirmed it knows (beside the offices of the deployment, whose own
-- addresses are known already): an address, or a whole domain.
CREATE TABLE known_senders (
    id          BIGSERIAL PRIMARY KEY,
    office_id   TEXT NOT NULL REFERENCES offices (id),
    name        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    domain      TEXT NOT NULL DEFAULT '',
    added_by    BIGINT NOT NULL REFERENCES users (id),
    added_at    TEXT NOT NULL,
    UNIQUE (office_id, address, domain)
);
