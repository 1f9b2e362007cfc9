-- What a destruction list rests on: the yearly survey (ข้อ 66), or the head's order to destroy
-- electronic letters kept over 10 years, oldest first (ภาคผนวก 6 of the 2564 amendment).
ALTER TABLE disposals ADD COLUMN basis TEXT NOT NULL DEFAULT 'survey';
