-- Up Migration

-- Every timestamp is TIMESTAMPTZ: with TIMESTAMP (no zone) a comparison such
-- as `expires_at < NOW()` converts NOW() to the session's time zone, so the
-- same row would count as expired or not depending on the connection's
-- TimeZone setting. gen_random_uuid() is built in since PostgreSQL 13 (no
-- uuid-ossp extension to install).

CREATE TABLE users (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE sites (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  site_name TEXT NOT NULL,
  club_name TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'offline')),
  last_seen_at TIMESTAMPTZ,
  token_hash TEXT NOT NULL,
  -- The socket that currently owns the site: a late disconnect of a replaced
  -- socket must not mark the site offline.
  connection_id TEXT,
  agent_version TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

-- §6 of the reference, column for column (TIMESTAMPTZ instead of TIMESTAMP).
CREATE TABLE pending_commands (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  site_id UUID NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  command_type VARCHAR(100) NOT NULL,
  command_data JSONB NOT NULL DEFAULT '{}',
  priority INTEGER DEFAULT 5 CHECK (priority >= 1 AND priority <= 10),
  created_by UUID REFERENCES users(id),
  created_at TIMESTAMPTZ DEFAULT NOW(),
  expires_at TIMESTAMPTZ,           -- NULL = pas d'expiration
  attempts INTEGER DEFAULT 0,
  last_attempt_at TIMESTAMPTZ,
  max_attempts INTEGER DEFAULT 3,
  description TEXT,
  -- Extra column: breaks ties between commands of the same created_at, so a
  -- site's commands of one priority run in the order they were queued
  -- (PGlite's clock has millisecond resolution; a burst shares one value).
  queue_position BIGINT GENERATED ALWAYS AS IDENTITY
);

CREATE INDEX idx_pending_commands_site_id ON pending_commands(site_id);
CREATE INDEX idx_pending_commands_expires_at ON pending_commands(expires_at);
-- The drain reads a site's commands in this order.
CREATE INDEX idx_pending_commands_drain_order ON pending_commands(site_id, priority, created_at, queue_position);

-- Every command ever sent, with its whole lifecycle. A queued command has the
-- same id here and in pending_commands. The status list mirrors
-- COMMAND_STATUSES of @neopro/protocol (a test keeps them equal).
CREATE TABLE remote_commands (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  site_id UUID NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  command_type VARCHAR(100) NOT NULL,
  command_data JSONB NOT NULL DEFAULT '{}',
  priority INTEGER NOT NULL DEFAULT 5 CHECK (priority >= 1 AND priority <= 10),
  queueable BOOLEAN NOT NULL,
  description TEXT,
  created_by UUID REFERENCES users(id),
  status TEXT NOT NULL DEFAULT 'queued' CHECK (
    status IN ('queued', 'delivered', 'running', 'succeeded', 'failed', 'interrupted', 'expired', 'cancelled')
  ),
  result JSONB,
  error_code TEXT,
  error_message TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 3,
  expires_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  delivered_at TIMESTAMPTZ,
  started_at TIMESTAMPTZ,
  finished_at TIMESTAMPTZ,
  expired_at TIMESTAMPTZ,
  cancelled_at TIMESTAMPTZ,
  -- When the agent's result was recorded; results are recorded once.
  reported_at TIMESTAMPTZ,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  -- Orders commands created in the same millisecond (see queue_position).
  sequence_number BIGINT GENERATED ALWAYS AS IDENTITY
);

CREATE INDEX idx_remote_commands_site_created
  ON remote_commands(site_id, created_at DESC, sequence_number DESC);

-- Wakes the dispatcher whenever a site gains a deliverable command: a new
-- row, or a row made deliverable again by hand (§8: attempts reset,
-- max_attempts raised, expiry extended). A claim only raises attempts, so it
-- stays silent. PostgreSQL folds identical notifications of one transaction.
CREATE FUNCTION notify_pending_command() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pending_commands', NEW.site_id::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER pending_commands_notify_insert
AFTER INSERT ON pending_commands
FOR EACH ROW EXECUTE FUNCTION notify_pending_command();

CREATE TRIGGER pending_commands_notify_requeue
AFTER UPDATE OF attempts, max_attempts, expires_at ON pending_commands
FOR EACH ROW
WHEN (
  NEW.attempts < OLD.attempts
  OR NEW.max_attempts > OLD.max_attempts
  OR NEW.expires_at IS DISTINCT FROM OLD.expires_at
)
EXECUTE FUNCTION notify_pending_command();

-- §6's view, with the WHERE it means: the reference's
-- `expires_at IS NULL OR expires_at > NOW() AND attempts < max_attempts`
-- parses as `IS NULL OR (... AND ...)`, counting never-expiring commands
-- stuck at max_attempts. Counts are ::int so both drivers return numbers.
CREATE VIEW pending_commands_summary AS
SELECT
  pc.site_id,
  s.club_name,
  s.status AS site_status,
  COUNT(*)::int AS pending_count,
  MIN(pc.priority) AS highest_priority,
  MIN(pc.created_at) AS oldest_command,
  MAX(pc.created_at) AS newest_command,
  ARRAY_AGG(DISTINCT pc.command_type) AS command_types
FROM pending_commands pc
JOIN sites s ON s.id = pc.site_id
WHERE (pc.expires_at IS NULL OR pc.expires_at > NOW())
  AND pc.attempts < pc.max_attempts
GROUP BY pc.site_id, s.club_name, s.status;

-- Down Migration

DROP VIEW IF EXISTS pending_commands_summary;
DROP TABLE IF EXISTS remote_commands;
DROP TABLE IF EXISTS pending_commands;
DROP FUNCTION IF EXISTS notify_pending_command();
DROP TABLE IF EXISTS sites;
DROP TABLE IF EXISTS users;
