// The storage port: everything Keystep keeps goes through these interfaces.
// One implementation (src/store/sql-store.ts) serves both PostgreSQL and PGlite.

export const MFA_MODES = ['off', 'optional', 'required', 'adaptive'] as const;
export type MfaMode = (typeof MFA_MODES)[number];

export interface Organisation {
  id: string;
  slug: string;
  name: string;
  mfaMode: MfaMode;
  mfaMethods: string[];
  mfaGraceDays: number;
  /** Days a "Trust this device" choice lasts; 0 = the option is off. */
  rememberDeviceDays: number;
  /** Adaptive-mode settings (src/policy/risk.ts); missing keys take the defaults. */
  riskPolicy: Record<string, unknown>;
  /** WebAuthn attestation policy (src/factors/webauthn/attestation-policy.ts). */
  webauthnPolicy: Record<string, unknown>;
  createdAt: Date;
}

export interface User {
  id: string;
  orgId: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  phone: string | null;
  passwordHash: string | null;
  disabled: boolean;
  lastMfaAt: Date | null;
  passkeyOfferedAt: Date | null;
  createdAt: Date;
}

export interface MfaFactor {
  id: string;
  userId: string;
  /** The factor strategy that owns it ('totp', ...). */
  kind: string;
  name: string;
  secretEncrypted: string | null;
  data: Record<string, unknown>;
  lastUsedStep: number | null;
  /** Null while enrolment is pending. */
  confirmedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

export interface FactorAttemptState {
  windowFailures: number;
  consecutiveFailures: number;
  lockCount: number;
  lockedUntil: Date | null;
}

/** What a login (an oidc-provider session's accountId + auth_time) achieved, for step-up decisions. */
export interface SessionAssurance {
  accountId: string;
  loginTs: number;
  acr: string;
  amr: string[];
  achievedAt: number;
  lastActiveAt: number;
  stepUp: boolean;
  stepUpCode: string | null;
  trustedDeviceId: string | null;
}

export interface TrustedDevice {
  id: string;
  userId: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
  country: string | null;
  revokedAt: Date | null;
}

export interface LoginHistoryEntry {
  at: Date;
  ip: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  deviceId: string | null;
  succeeded: boolean;
}

export interface ClientRecord {
  clientId: string;
  orgId: string | null;
  name: string;
  /** Client secret sealed with the encryption key; null for public clients. */
  secretEncrypted: string | null;
  /** OIDC client metadata (redirect_uris, grant_types, ...) without the secret. */
  metadata: Record<string, unknown>;
  createdAt: Date;
}

export interface AuditEvent {
  event: string;
  orgId?: string | null;
  userId?: string | null;
  clientId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  factor?: string | null;
  details?: Record<string, unknown>;
}

export interface StoredAuditEvent extends Required<Omit<AuditEvent, 'details'>> {
  id: number;
  details: Record<string, unknown>;
  createdAt: Date;
}

export interface OrganisationRepository {
  create(input: { slug: string; name: string; mfaMode?: MfaMode }): Promise<Organisation>;
  findBySlug(slug: string): Promise<Organisation | undefined>;
  findById(id: string): Promise<Organisation | undefined>;
  list(): Promise<Organisation[]>;
  setMfa(slug: string, input: { mode: MfaMode; graceDays?: number; rememberDeviceDays?: number }): Promise<Organisation | undefined>;
  setRiskPolicy(slug: string, policy: Record<string, unknown>): Promise<Organisation | undefined>;
  setWebauthnPolicy(slug: string, policy: Record<string, unknown>): Promise<Organisation | undefined>;
}

export interface UserRepository {
  create(input: {
    orgId: string;
    email: string;
    passwordHash: string | null;
    name?: string | null;
    emailVerified?: boolean;
  }): Promise<User>;
  findByEmail(normalisedEmail: string): Promise<User | undefined>;
  findById(id: string): Promise<User | undefined>;
  list(filter?: { orgId?: string }): Promise<Array<User & { orgSlug: string }>>;
  recordMfa(userId: string): Promise<void>;
  recordPasskeyOffer(userId: string, at: Date): Promise<void>;
}

export interface MfaFactorRepository {
  createPending(input: { userId: string; kind: string; name: string; secretEncrypted: string | null; data?: Record<string, unknown> }): Promise<MfaFactor>;
  find(id: string): Promise<MfaFactor | undefined>;
  /** Confirmed factors (and, if asked, pending ones), oldest first. */
  listForUser(userId: string, options?: { includePending?: boolean }): Promise<MfaFactor[]>;
  /** Marks a pending factor of this user confirmed; false if there is none. */
  confirm(id: string, userId: string, name?: string): Promise<boolean>;
  /**
   * Atomically records that time step `step` was used, only if it is later than the last one:
   * false means a replay (or a concurrent use of the same code).
   */
  advanceTimeStep(id: string, step: number): Promise<boolean>;
  remove(id: string, userId: string): Promise<boolean>;
  removeAllForUser(userId: string): Promise<number>;
  /** A confirmed WebAuthn credential by its credential id (base64url). */
  findByCredentialId(credentialId: string): Promise<MfaFactor | undefined>;
  /** Merges keys into the factor's data; with `ifCounterBelow`, only while data.counter is below it (atomic counter advance). */
  updateData(id: string, changes: Record<string, unknown>, ifCounterBelow?: number): Promise<boolean>;
  recordUse(id: string): Promise<void>;
}

export interface WebAuthnChallengeRepository {
  issue(challenge: string, input: { userId: string | null; purpose: 'registration' | 'authentication'; expiresInSeconds: number }): Promise<void>;
  /** Takes the challenge (single use) if it is unexpired and for this purpose; returns its user. */
  consume(challenge: string, purpose: 'registration' | 'authentication'): Promise<{ userId: string | null } | undefined>;
}

export interface BackupCodeRepository {
  /** Replaces every code of the user (used or not) with these hashes. */
  replaceAll(userId: string, hashes: string[]): Promise<void>;
  /** Atomically marks an unused code used; exactly one of parallel callers gets true. */
  consume(userId: string, hash: string): Promise<boolean>;
  countRemaining(userId: string): Promise<number>;
  removeAllForUser(userId: string): Promise<void>;
}

/** Counters behind second-factor lockout; every call is atomic across processes. */
export interface FactorLockoutRepository {
  /**
   * Counts an attempt as a failure up front (unless a lock is in force; an expired lock starts
   * a new window). Returns the state after counting.
   */
  beginAttempt(userId: string, factor: string): Promise<FactorAttemptState & { counted: boolean }>;
  /** Locks until now + seconds (or for ever with 'forever') unless a lock is already in force. */
  lock(userId: string, factor: string, seconds: number | 'forever'): Promise<FactorAttemptState>;
  /** A success: the failure counters and backoff start over. */
  recordSuccess(userId: string, factor: string): Promise<void>;
  get(userId: string, factor: string): Promise<FactorAttemptState | undefined>;
  resetAllForUser(userId: string): Promise<void>;
}

export interface ClientRepository {
  create(record: Omit<ClientRecord, 'createdAt'>): Promise<ClientRecord>;
  /** Merges these keys into the client's metadata (null removes a key). */
  updateMetadata(clientId: string, changes: Record<string, unknown>): Promise<ClientRecord | undefined>;
  find(clientId: string): Promise<ClientRecord | undefined>;
  list(): Promise<ClientRecord[]>;
}

/** oidc-provider model instances (payload is opaque JSON to the store). */
export interface OidcPayloadRepository {
  upsert(
    model: string,
    id: string,
    payload: Record<string, unknown>,
    expiresInSeconds: number | undefined,
  ): Promise<void>;
  find(model: string, id: string): Promise<Record<string, unknown> | undefined>;
  findByUid(model: string, uid: string): Promise<Record<string, unknown> | undefined>;
  findByUserCode(model: string, userCode: string): Promise<Record<string, unknown> | undefined>;
  consume(model: string, id: string): Promise<void>;
  destroy(model: string, id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
  /** Deletes expired protocol rows; returns how many. */
  sweepExpired(): Promise<number>;
}

export interface ServerSecretRepository {
  get(name: string): Promise<string | undefined>;
  /** Stores value unless one exists; returns whichever is stored (race-safe). */
  putIfAbsent(name: string, value: string): Promise<string>;
}

/** Fixed-window counters; every operation is atomic across processes. */
export interface AttemptCounterRepository {
  /** Adds one to key (starting a new window of windowSeconds if none is open); returns the new count. */
  increment(key: string, windowSeconds: number): Promise<number>;
  /** The count in the open window (0 if none). */
  peek(key: string): Promise<number>;
  /** Takes one back (never below zero). */
  decrement(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

export interface SessionAssuranceRepository {
  record(entry: Omit<SessionAssurance, 'stepUpCode'>): Promise<void>;
  find(accountId: string, loginTs: number): Promise<SessionAssurance | undefined>;
  /** The session served an authorization at its level. */
  touch(accountId: string, loginTs: number, at: number): Promise<void>;
  /** The session's level decayed to acr (it never rises again without a new login). */
  downgrade(accountId: string, loginTs: number, acr: string): Promise<void>;
  /** Remembers the first authorization code a step-up login produced; true if this was it. */
  claimStepUpCode(accountId: string, loginTs: number, codeId: string): Promise<boolean>;
}

export interface TrustedDeviceRepository {
  create(input: { userId: string; expiresAt: Date; userAgent: string | null; ip: string | null; country: string | null }): Promise<TrustedDevice>;
  /** The first of ids that is this user's, unrevoked and unexpired at `now`. */
  findLive(userId: string, ids: string[], now: Date): Promise<TrustedDevice | undefined>;
  touch(id: string, at: Date): Promise<void>;
  list(userId: string): Promise<TrustedDevice[]>;
  /** Revokes one device (or all the user's when id is omitted); returns how many. */
  revoke(userId: string, id?: string): Promise<number>;
}

export interface LoginHistoryRepository {
  record(userId: string, entry: Omit<LoginHistoryEntry, 'at'> & { at: Date }): Promise<void>;
  /** Newest first. */
  recent(userId: string, limit: number): Promise<LoginHistoryEntry[]>;
}

export interface AuditRepository {
  record(event: AuditEvent): Promise<void>;
  list(filter?: { userId?: string; event?: string; limit?: number }): Promise<StoredAuditEvent[]>;
}

export interface Store {
  readonly kind: 'postgres' | 'pglite';
  organisations: OrganisationRepository;
  users: UserRepository;
  clients: ClientRepository;
  oidc: OidcPayloadRepository;
  serverSecrets: ServerSecretRepository;
  attempts: AttemptCounterRepository;
  audit: AuditRepository;
  mfaFactors: MfaFactorRepository;
  backupCodes: BackupCodeRepository;
  factorLockouts: FactorLockoutRepository;
  sessionAssurance: SessionAssuranceRepository;
  trustedDevices: TrustedDeviceRepository;
  loginHistory: LoginHistoryRepository;
  webauthnChallenges: WebAuthnChallengeRepository;
  /** Runs fn with a store whose every write lands together or not at all. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /** Periodic clean-up: expired protocol rows, counters and challenges, abandoned enrolments. Returns the protocol rows deleted. */
  sweepExpired(): Promise<number>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
