-- Failed logins (issue: several machines), shared by every web process so that N processes
-- behind a load balancer do not give a guesser N times the allowed failures. One row per user
-- name ('u:<name>') and per client address ('ip:<address>'); a row older than the lockout
-- window no longer counts and is replaced by the next failure.
CREATE TABLE login_failures (
    key       TEXT PRIMARY KEY,
    failures  INTEGER NOT NULL,
    last_at   TEXT NOT NULL
);
