-- Signed-in people (issue 18). The cookie holds a random 256-bit id; only
-- its SHA-256 is stored, so a copy of the database opens no session. A
-- session ends at expires_at (its absolute lifetime) or when last_seen_at
-- is older than the idle lifetime, whichever comes first. Times are Unix ms.
CREATE TABLE sessions (
  id_hash      TEXT PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Failed sign-ins per account ("email:...") and per client address
-- ("address:..."), shared by every host: past a few, each further try
-- waits twice as long as the one before.
CREATE TABLE sign_in_failures (
  subject        TEXT PRIMARY KEY,
  failures       INTEGER NOT NULL,
  last_failed_at INTEGER NOT NULL
);
