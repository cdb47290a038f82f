-- Step-up and adaptive policy: what each sign-in session holds, trusted devices, login history,
-- organisation settings for remembered devices and risk.

-- One row per completed login (an oidc-provider session's accountId + auth_time).
CREATE TABLE session_assurance (
  account_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  login_ts            bigint NOT NULL,           -- auth_time of the login (epoch seconds)
  acr                 text NOT NULL,
  amr                 jsonb NOT NULL,
  achieved_at         bigint NOT NULL,           -- when this acr was reached (epoch seconds)
  last_active_at      bigint NOT NULL,           -- last authorization served at this level
  step_up             boolean NOT NULL DEFAULT false,  -- the login raised an existing session's level
  step_up_code        text,                      -- the authorization code that login produced
  trusted_device_id   uuid,
  PRIMARY KEY (account_id, login_ts)
);

CREATE TABLE trusted_devices (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  user_agent    text,
  ip            text,
  country       text,
  revoked_at    timestamptz
);
CREATE INDEX trusted_devices_user_idx ON trusted_devices (user_id);

CREATE TABLE login_history (
  id          bigserial PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  ip          text,
  country     text,
  latitude    double precision,
  longitude   double precision,
  device_id   text,
  succeeded   boolean NOT NULL
);
CREATE INDEX login_history_user_idx ON login_history (user_id, at DESC);

ALTER TABLE organisations DROP CONSTRAINT organisations_mfa_mode_check;
ALTER TABLE organisations ADD CONSTRAINT organisations_mfa_mode_check CHECK (mfa_mode IN ('off', 'optional', 'required', 'adaptive'));
ALTER TABLE organisations ADD COLUMN remember_device_days integer NOT NULL DEFAULT 30 CHECK (remember_device_days BETWEEN 0 AND 90);
ALTER TABLE organisations ADD COLUMN risk_policy jsonb NOT NULL DEFAULT '{}'::jsonb;
