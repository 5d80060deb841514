-- What provider plugins keep between webhooks and operations (the host's
-- "sb.state.v1" service), so that a webhook or a request for a call may
-- reach any host. A row past expires_at (Unix ms) reads as absent and is
-- deleted by a later sweep.
CREATE TABLE plugin_state (
  plugin      TEXT NOT NULL,
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,
  expires_at  INTEGER NOT NULL,
  PRIMARY KEY (plugin, key)
);
CREATE INDEX plugin_state_expires ON plugin_state (expires_at);

-- Work that one host at a time does for all of them (the sweep that ends
-- abandoned calls): the holder renews its lease while it lives; when the
-- lease lapses (its host died) another host takes it.
CREATE TABLE leases (
  name        TEXT PRIMARY KEY,
  holder      TEXT NOT NULL,
  expires_at  INTEGER NOT NULL
);
