-- Multi-factor authentication: enrolled factors, backup codes, per-factor lockout.

CREATE TABLE mfa_factors (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind              text NOT NULL,                 -- 'totp' (later 'webauthn', 'sms', ...)
  name              text NOT NULL,
  secret_encrypted  text,                          -- AES-256-GCM sealed secret (TOTP seed)
  data              jsonb NOT NULL DEFAULT '{}'::jsonb,
  last_used_step    bigint,                        -- TOTP: last accepted time step (replay guard)
  confirmed_at      timestamptz,                   -- NULL while enrolment is pending
  last_used_at      timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mfa_factors_user_idx ON mfa_factors (user_id);

-- Single-use backup codes, stored only as keyed hashes (HMAC-SHA-256, see src/factors/backup-codes).
CREATE TABLE backup_codes (
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash   text NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, code_hash)
);

-- Consecutive second-factor failures per user and factor kind, and the resulting lock.
CREATE TABLE factor_lockouts (
  user_id               uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  factor                text NOT NULL,
  window_failures       integer NOT NULL DEFAULT 0,  -- since the last lock ended
  consecutive_failures  integer NOT NULL DEFAULT 0,  -- since the last success (NIST ceiling)
  lock_count            integer NOT NULL DEFAULT 0,  -- locks since the last success (backoff exponent)
  locked_until          timestamptz,
  PRIMARY KEY (user_id, factor)
);

ALTER TABLE users ADD COLUMN last_mfa_at timestamptz;
