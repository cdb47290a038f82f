-- WebAuthn: single-use, expiring challenges; credentials live in mfa_factors (kind 'webauthn')
-- with their public key, counter and flags in data, found by credential id.
CREATE TABLE webauthn_challenges (
  challenge   text PRIMARY KEY,
  user_id     uuid REFERENCES users (id) ON DELETE CASCADE,   -- NULL for passwordless sign-in
  purpose     text NOT NULL CHECK (purpose IN ('registration', 'authentication')),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX webauthn_challenges_expires_idx ON webauthn_challenges (expires_at);

CREATE UNIQUE INDEX mfa_factors_webauthn_credential_idx ON mfa_factors ((data ->> 'credential_id')) WHERE kind = 'webauthn';

-- Organisations allow WebAuthn by default (it is the strongest factor).
ALTER TABLE organisations ALTER COLUMN mfa_methods SET DEFAULT ARRAY['totp', 'webauthn'];
UPDATE organisations SET mfa_methods = array_append(mfa_methods, 'webauthn') WHERE NOT ('webauthn' = ANY (mfa_methods));
