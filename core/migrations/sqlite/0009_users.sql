-- People who sign in (issue 18): email unique whatever its case (email_key
-- is the address lower-cased), a role, a password hashed with argon2id
-- (libsodium's crypto_pwhash_str: the salt and limits travel in the text).
-- Times are Unix ms.
CREATE TABLE users (
  id              TEXT PRIMARY KEY,
  email           TEXT NOT NULL,
  email_key       TEXT NOT NULL UNIQUE,
  display_name    TEXT NOT NULL,
  role            TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
  password_hash   TEXT NOT NULL,
  disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  last_sign_in_at INTEGER
);
