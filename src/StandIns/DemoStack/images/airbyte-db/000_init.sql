-- Stand-in for the schema airbyte/db:0.7.1-alpha created on first start: the jobs database.
-- Job and attempt ids are BIGSERIALs, so they restart at 1 when the airbyte_db volume is wiped, as in real Airbyte.
-- Idempotent, because the stand-in server and scheduler also run it at startup (tests use a bare Postgres).
SELECT pg_advisory_xact_lock(7001007);

DO $$ BEGIN
  CREATE TYPE job_status AS ENUM ('pending', 'running', 'incomplete', 'failed', 'succeeded', 'cancelled');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

DO $$ BEGIN
  CREATE TYPE attempt_status AS ENUM ('running', 'failed', 'succeeded');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

CREATE TABLE IF NOT EXISTS airbyte_metadata (
  key VARCHAR(255) PRIMARY KEY,
  value VARCHAR(255)
);

CREATE TABLE IF NOT EXISTS jobs (
  id BIGSERIAL PRIMARY KEY,
  config_type VARCHAR(32),
  scope VARCHAR(255),
  config JSONB,
  status job_status,
  started_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ,
  updated_at TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS attempts (
  id BIGSERIAL PRIMARY KEY,
  job_id BIGINT,
  attempt_number INTEGER,
  log_path VARCHAR(255),
  output JSONB,
  status attempt_status,
  created_at TIMESTAMPTZ,
  updated_at TIMESTAMPTZ,
  ended_at TIMESTAMPTZ
);

CREATE UNIQUE INDEX IF NOT EXISTS job_attempt_idx ON attempts (job_id, attempt_number);
