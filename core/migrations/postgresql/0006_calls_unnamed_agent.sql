-- The admin board places calls for several reps through one admin key and
-- names no agent. Such a call is not one agent's call: the one-active-call
-- rule (enforced here, by the database, so that it holds under concurrency
-- and across hosts) applies to named agents only. `agent_id` keeps the key's
-- name so that history still says who placed the call.
ALTER TABLE calls ADD COLUMN agent_named INTEGER NOT NULL DEFAULT 1;
DROP INDEX calls_one_active_per_agent;
CREATE UNIQUE INDEX calls_one_active_per_agent ON calls(agent_id) WHERE ended_at IS NULL AND agent_named = 1;
-- Live calls: counted against calls.max_active at every placement and listed
-- by GET /api/v1/calls/active; as many entries as calls in progress.
CREATE INDEX calls_active ON calls(created_at) WHERE ended_at IS NULL;
