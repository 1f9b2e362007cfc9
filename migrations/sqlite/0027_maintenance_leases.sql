-- Maintenance of which one may run at a time in the whole deployment (`saraban storage gc`: two
-- of them, from the same cron line on two machines, could each remove what the other listed,
-- including bytes stored afresh in between). Held until `until`, renewed while working, so a
-- holder that died frees it.
CREATE TABLE maintenance_leases (
    name    TEXT PRIMARY KEY,
    holder  TEXT NOT NULL,
    until   TEXT NOT NULL
);
