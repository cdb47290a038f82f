// Audit event names (the audit_events.event column) and the request facts each event carries.
export const AuditEvents = {
  loginSucceeded: 'user.login_succeeded',
  loginFailed: 'user.login_failed',
  loginLocked: 'user.login_locked',
  mfaSucceeded: 'user.mfa_succeeded',
  mfaFailed: 'user.mfa_failed',
  mfaLocked: 'user.mfa_locked',
  mfaSkipped: 'user.mfa_enrolment_skipped',
  factorEnrolled: 'mfa.factor_enrolled',
  factorRemoved: 'mfa.factor_removed',
  backupCodesRegenerated: 'mfa.backup_codes_regenerated',
  mfaReset: 'mfa.reset',
  deviceTrusted: 'mfa.device_trusted',
  deviceRevoked: 'mfa.device_revoked',
  riskAssessed: 'user.risk_assessed',
  webauthnCloneSuspected: 'mfa.webauthn_clone_suspected',
} as const;

/** Who did it from where: attached to every event written during a request. */
export interface RequestFacts {
  ip?: string | null;
  userAgent?: string | null;
  clientId?: string | null;
}
