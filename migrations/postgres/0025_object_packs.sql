-- Where each packed file lives when the files are in an S3 object store: the messages and
-- attachments of one mail batch are one object (one PUT per batch, read with ranged GETs), found
-- again through this index. Kept apart from stored_blobs (the packs on the local disk) so that
-- `saraban storage migrate` between the two never mistakes one backend's packs for the other's.

CREATE TABLE object_blobs (
    sha256       TEXT PRIMARY KEY,
    pack         TEXT NOT NULL,
    pack_offset  BIGINT NOT NULL,
    size         BIGINT NOT NULL
);
CREATE INDEX object_blobs_by_pack ON object_blobs (pack);

-- Rewriting a pack (destruction, `saraban storage gc`) looks its files up by pack.
CREATE INDEX stored_blobs_by_pack ON stored_blobs (pack);
