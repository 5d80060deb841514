-- A call's version: 1 when placed, +1 with every saved change. The API and
-- the event stream carry it so that a client that hears of a call from
-- several places (an answer, a poll, the stream) keeps the newest snapshot.
ALTER TABLE calls ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
