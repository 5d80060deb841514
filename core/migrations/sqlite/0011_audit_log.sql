-- Who did what (issue 18): sign-ins and their failures, sign-outs, people
-- and keys created or changed, do-not-call entries added and removed.
-- Rows are only ever added. `actor` is a user id, a key id, "cli" or "-"
-- (a failed sign-in); `actor_name` says it in words (an email, a key's
-- name). Times are Unix ms; `details` is a JSON object.
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,
  actor       TEXT NOT NULL,
  actor_name  TEXT NOT NULL,
  action      TEXT NOT NULL,
  target      TEXT NOT NULL DEFAULT '',
  client      TEXT NOT NULL DEFAULT '',
  details     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_by_time ON audit_log (at);
CREATE INDEX audit_log_by_action ON audit_log (action, at);
