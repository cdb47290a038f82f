-- Per-organisation WebAuthn attestation policy: { "attestation": "none" | "direct", "aaguids": [...] }.
ALTER TABLE organisations ADD COLUMN webauthn_policy jsonb NOT NULL DEFAULT '{}'::jsonb;
