// The storage port: everything Keystep keeps goes through these interfaces.
// One implementation (src/store/sql-store.ts) serves both PostgreSQL and PGlite.

export const MFA_MODES = ['off', 'optional', 'required'] as const;
export type MfaMode = (typeof MFA_MODES)[number];

export interface Organisation {
  id: string;
  slug: string;
  name: string;
  mfaMode: MfaMode;
  mfaMethods: string[];
  mfaGraceDays: number;
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
  createdAt: Date;
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
  setMfa(slug: string, input: { mode: MfaMode; graceDays?: number }): Promise<Organisation | undefined>;
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
}

export interface ClientRepository {
  create(record: Omit<ClientRecord, 'createdAt'>): Promise<ClientRecord>;
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
  /** Deletes expired rows; returns how many. */
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
  /** Runs fn with a store whose every write lands together or not at all. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
