-- Keystep initial schema. Plain SQL shared by PostgreSQL and PGlite.

CREATE TABLE organisations (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name            text NOT NULL,
  mfa_mode        text NOT NULL DEFAULT 'optional' CHECK (mfa_mode IN ('off', 'optional', 'required')),
  mfa_methods     text[] NOT NULL DEFAULT ARRAY['totp'],
  mfa_grace_days  integer NOT NULL DEFAULT 0 CHECK (mfa_grace_days BETWEEN 0 AND 30),
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id          uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  email           text NOT NULL UNIQUE,           -- normalised (trimmed, lower case)
  email_verified  boolean NOT NULL DEFAULT false,
  name            text,
  phone           text,
  password_hash   text,                           -- argon2id PHC string
  disabled        boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_org_idx ON users (org_id);

CREATE TABLE clients (
  client_id         text PRIMARY KEY,
  org_id            uuid REFERENCES organisations (id) ON DELETE CASCADE,
  name              text NOT NULL,
  secret_encrypted  text,                         -- AES-256-GCM; NULL for public clients
  metadata          jsonb NOT NULL,               -- OIDC client metadata minus the secret
  created_at        timestamptz NOT NULL DEFAULT now()
);

-- oidc-provider's models (Session, Grant, AuthorizationCode, AccessToken, ...).
CREATE TABLE oidc_payloads (
  model        text NOT NULL,
  id           text NOT NULL,
  payload      jsonb NOT NULL,
  grant_id     text,
  user_code    text,
  uid          text,
  expires_at   timestamptz,
  consumed_at  timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX oidc_payloads_grant_idx ON oidc_payloads (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oidc_payloads_uid_idx ON oidc_payloads (model, uid) WHERE uid IS NOT NULL;
CREATE INDEX oidc_payloads_user_code_idx ON oidc_payloads (model, user_code) WHERE user_code IS NOT NULL;
CREATE INDEX oidc_payloads_expires_idx ON oidc_payloads (expires_at) WHERE expires_at IS NOT NULL;

-- Server key material (signing keys, cookie keys), encrypted with the encryption key.
CREATE TABLE server_secrets (
  name        text PRIMARY KEY,
  encrypted   text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Fixed-window attempt counters (password lockout, per IP throttling).
CREATE TABLE attempt_counters (
  key         text PRIMARY KEY,
  count       integer NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX attempt_counters_expires_idx ON attempt_counters (expires_at);

CREATE TABLE audit_events (
  id          bigserial PRIMARY KEY,
  event       text NOT NULL,
  org_id      uuid,
  user_id     uuid,
  client_id   text,
  ip          text,
  user_agent  text,
  factor      text,
  details     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_user_idx ON audit_events (user_id, created_at);
CREATE INDEX audit_events_event_idx ON audit_events (event, created_at);
