-- The DKIM keys saraban signs outgoing mail with (issue: be trusted where we send). One key per
-- office; office_id '' is the deployment's key, used for an office without its own when the
-- office's address is in the key's domain. The private key is PKCS#8 DER in base64: it lives in
-- the database because every `serve` machine signs; protect the database and its backups as the
-- key itself. public_key is what the DKIM record's p= publishes.
CREATE TABLE dkim_keys (
    office_id    TEXT PRIMARY KEY,
    domain       TEXT NOT NULL,
    selector     TEXT NOT NULL,
    algorithm    TEXT NOT NULL,
    private_key  TEXT NOT NULL,
    public_key   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
