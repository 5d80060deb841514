-- API keys: only a SHA-256 of each key is stored; the key is shown once.
-- (The PostgreSQL schema follows core/migrations/sqlite version by version;
-- times are Unix milliseconds in BIGINT, flags 0/1 in INTEGER as there.)
CREATE TABLE api_keys (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  role         TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
  prefix       TEXT NOT NULL,
  key_hash     TEXT NOT NULL UNIQUE,
  created_at   BIGINT NOT NULL,
  revoked_at   BIGINT
);
