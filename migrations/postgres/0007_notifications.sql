-- E-mail notifications to the people a letter is given to: their address and how they want
-- them (0 none, 1 an e-mail per letter, 2 one daily digest); the outbox row of a notification
-- points at the assignment it tells of, a digest at the user; one digest per user and day.

CREATE TABLE user_contacts (
    user_id  BIGINT PRIMARY KEY REFERENCES users (id),
    email    TEXT NOT NULL,
    notify   INTEGER NOT NULL DEFAULT 1 CHECK (notify IN (0, 1, 2))
);

ALTER TABLE deliveries ADD COLUMN assignment_id BIGINT REFERENCES assignments (id);
ALTER TABLE deliveries ADD COLUMN user_id BIGINT REFERENCES users (id);

CREATE TABLE digests (
    user_id  BIGINT NOT NULL REFERENCES users (id),
    day      TEXT NOT NULL,
    PRIMARY KEY (user_id, day)
);
