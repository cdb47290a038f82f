-- When the user was last offered to add a passkey after signing in with a password and a code.
ALTER TABLE users ADD COLUMN passkey_offered_at timestamptz;
