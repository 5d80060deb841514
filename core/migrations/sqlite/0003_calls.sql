-- Calls (one dial attempt each), their legs' state, and their timeline of
-- canonical events. Times are Unix milliseconds.
CREATE TABLE calls (
  id                    TEXT PRIMARY KEY,
  contact_id            INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
  agent_id              TEXT NOT NULL,
  provider              TEXT NOT NULL,
  topology              TEXT NOT NULL DEFAULT 'bridge',
  to_e164               TEXT NOT NULL,
  from_e164             TEXT NOT NULL,
  conference_name       TEXT NOT NULL UNIQUE,
  conference_id         TEXT,
  provider_call_id      TEXT,
  agent_leg_id          TEXT,
  session_id            TEXT NOT NULL UNIQUE,
  status                TEXT NOT NULL DEFAULT 'initiated',
  conference_state      TEXT NOT NULL DEFAULT 'init',
  agent_state           TEXT NOT NULL DEFAULT 'none',
  contact_muted         INTEGER NOT NULL DEFAULT 0,
  contact_held          INTEGER NOT NULL DEFAULT 0,
  agent_muted           INTEGER NOT NULL DEFAULT 0,
  agent_held            INTEGER NOT NULL DEFAULT 0,
  end_cause             TEXT,
  contact_duration_s    INTEGER,
  talk_seconds          INTEGER,
  result                TEXT,
  outcome               TEXT,
  notes                 TEXT NOT NULL DEFAULT '',
  created_at            INTEGER NOT NULL,
  ringing_at            INTEGER,
  answered_at           INTEGER,
  conference_started_at INTEGER,
  agent_joined_at       INTEGER,
  ended_at              INTEGER,
  -- Per attribute, the order key of the event that set it last: a late
  -- event never overwrites a newer one (see CallStateMachine).
  clocks                TEXT NOT NULL DEFAULT '{}',
  outcome_at            INTEGER,
  outcome_by            TEXT
);
-- One active (not ended) call per agent, enforced by the database too.
CREATE UNIQUE INDEX calls_one_active_per_agent ON calls(agent_id) WHERE ended_at IS NULL;
CREATE INDEX calls_by_created ON calls(created_at);
CREATE INDEX calls_by_agent ON calls(agent_id, created_at);
CREATE INDEX calls_by_contact ON calls(contact_id, created_at);
CREATE INDEX calls_by_conference_id ON calls(conference_id);
CREATE INDEX calls_by_provider_call_id ON calls(provider_call_id);

-- seq is global and increasing: it is the id of the live event stream, so a
-- client resumes with Last-Event-ID.
CREATE TABLE call_events (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  call_id        TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  source         TEXT NOT NULL,
  event_key      TEXT NOT NULL,
  type           TEXT NOT NULL,
  leg            TEXT,
  occurred_at    INTEGER NOT NULL,
  received_at    INTEGER NOT NULL,
  payload        TEXT NOT NULL,
  -- Idempotency: a provider's event key is stored once per call. The same
  -- index serves a call's timeline (a handful of rows, sorted by seq), so
  -- an event insert maintains one index, not two.
  UNIQUE (call_id, source, event_key)
);
