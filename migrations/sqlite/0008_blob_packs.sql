-- Where each packed file lives: messages and attachments taken in a batch are written into one
-- pack file (one file per batch, not two per letter) and found again through this index.
-- Files stored one by one (uploads, large messages) are not listed here.

CREATE TABLE stored_blobs (
    sha256       TEXT PRIMARY KEY,
    pack         TEXT NOT NULL,
    pack_offset  BIGINT NOT NULL,
    size         BIGINT NOT NULL
);
