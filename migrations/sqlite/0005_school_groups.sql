-- Saved groups of schools a district sends to at once (e.g. a school network, กลุ่มเครือข่าย).

CREATE TABLE school_groups (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    office_id   TEXT NOT NULL REFERENCES offices (id),
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (office_id, name)
);

CREATE TABLE school_group_members (
    group_id          INTEGER NOT NULL REFERENCES school_groups (id),
    member_office_id  TEXT NOT NULL REFERENCES offices (id),
    PRIMARY KEY (group_id, member_office_id)
);
