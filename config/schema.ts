// The schema of every Keystep setting. Each setting is read from the environment variable of the
// same name, or from the optional JSON file `config/keystep.json` (or KEYSTEP_CONFIG_FILE);
// the environment wins. A wrong value stops the server with one line naming the variable.
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

// OIDC Discovery: an issuer is an https (or, for development, http) URL without query or fragment.
const issuerUrl = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !u.search && !u.hash && !/[?#]/.test(v);
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL without query or fragment');

const resourceIndicator = z.string().refine((v) => {
  try {
    return !new URL(v).hash;
  } catch {
    return false;
  }
}, 'must be an absolute URI without a fragment');

const commaList = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

export const settingsSchema = z.object({
  /** TCP port the HTTP server listens on. */
  PORT: int(1, 65535).default(3000),
  /** The issuer identifier (and public base URL). Default http://localhost:$PORT. */
  KEYSTEP_ISSUER: issuerUrl.optional(),
  /** PostgreSQL connection string. When set, PostgreSQL is the store and the demo is off. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
    .optional(),
  /** Embedded PGlite data directory, or ":memory:" for a throw-away store. */
  KEYSTEP_DATA_DIR: z.string().min(1).default('./data'),
  /** Seed and serve the demo organisation, user, client and /demo relying party. */
  KEYSTEP_DEMO: bool.optional(),
  /** Trust X-Forwarded-* headers (TLS terminated by a proxy): secure cookies, client IP. */
  KEYSTEP_TRUST_PROXY: bool.default(false),
  /** 32-byte key (64 hex chars or base64) encrypting secrets at rest. Generated into the data dir for PGlite. */
  KEYSTEP_ENCRYPTION_KEY: z
    .string()
    .refine((v) => decodeKey(v) !== undefined, 'must be 32 bytes as 64 hex characters or base64')
    .optional(),
  /** A JSON Web Key Set file with private RS256 signing keys; otherwise keys are generated and stored encrypted. */
  KEYSTEP_JWKS_FILE: z.string().min(1).optional(),
  /** Resource indicator used when a client asks for none; its access tokens are RFC 9068 JWTs. Unset: opaque tokens for userinfo. */
  KEYSTEP_DEFAULT_AUDIENCE: resourceIndicator.optional(),
  /** Further resource servers (comma-separated resource indicators) clients may request JWT access tokens for. */
  KEYSTEP_RESOURCES: commaList.pipe(z.array(resourceIndicator)).default([]),
  /** Ordered authentication context class references, weakest first. */
  KEYSTEP_ACR_VALUES: commaList.pipe(z.array(z.string().regex(/^[\x21-\x7e]+$/)).min(1)).default(['aal1', 'aal2', 'phr', 'phrh', 'aal3']),
  /** How long an AAL2 level holds after it was reached / without use, seconds (NIST: 12 h / 30 min). */
  KEYSTEP_AAL2_MAX_AGE: int(60, 30 * 86400).default(12 * 3600),
  KEYSTEP_AAL2_IDLE: int(60, 30 * 86400).default(30 * 60),
  /** The same for AAL3 (NIST: 12 h / 15 min). */
  KEYSTEP_AAL3_MAX_AGE: int(60, 30 * 86400).default(12 * 3600),
  KEYSTEP_AAL3_IDLE: int(60, 30 * 86400).default(15 * 60),
  /** Failed password attempts per account before it is locked for the lockout window. */
  KEYSTEP_LOGIN_MAX_FAILURES: int(1, 100).default(10),
  /** Password attempts per client IP within the lockout window. */
  KEYSTEP_LOGIN_MAX_ATTEMPTS_PER_IP: int(1, 100000).default(100),
  /** Length of the password lockout window, seconds. */
  KEYSTEP_LOGIN_LOCKOUT_SECONDS: int(1, 86400).default(900),
  /** Consecutive wrong second-factor codes before the factor locks (NIST SP 800-63B ceiling: 100). */
  KEYSTEP_MFA_MAX_FAILURES: int(1, 100).default(10),
  /** First second-factor lock, seconds; each further lock doubles it (capped at a day). */
  KEYSTEP_MFA_LOCKOUT_SECONDS: int(1, 86400).default(60),
  /** Issuer name shown in authenticator apps. */
  KEYSTEP_TOTP_ISSUER: z.string().min(1).max(64).default('Keystep'),
  /** WebAuthn relying party ID (a registrable domain); default: the issuer's host name. */
  KEYSTEP_WEBAUTHN_RP_ID: z.string().regex(/^[a-z0-9.-]+$/i, 'must be a domain name').optional(),
  /** Name shown by authenticators. */
  KEYSTEP_WEBAUTHN_RP_NAME: z.string().min(1).max(64).default('Keystep'),
  /** Origins allowed to use WebAuthn (comma-separated); default: the issuer's origin. */
  KEYSTEP_WEBAUTHN_ORIGINS: commaList.pipe(z.array(z.string().url())).optional(),
  /** FIDO metadata statements (a JSON array, or an MDS3 payload with entries) for attestation checks; never fetched at runtime. */
  KEYSTEP_FIDO_METADATA_FILE: z.string().min(1).optional(),
  /** How long a WebAuthn challenge can be answered, seconds. */
  KEYSTEP_WEBAUTHN_CHALLENGE_SECONDS: int(30, 3600).default(300),
  /** Access token lifetime, seconds. */
  KEYSTEP_ACCESS_TOKEN_TTL: int(60, 86400).default(3600),
  /** ID token lifetime, seconds. */
  KEYSTEP_ID_TOKEN_TTL: int(60, 86400).default(3600),
  /** Refresh token lifetime, seconds. */
  KEYSTEP_REFRESH_TOKEN_TTL: int(60, 365 * 86400).default(14 * 86400),
  /** Browser session lifetime, seconds. */
  KEYSTEP_SESSION_TTL: int(60, 365 * 86400).default(14 * 86400),
  /** How often expired protocol rows are deleted, seconds. */
  KEYSTEP_SWEEP_INTERVAL: int(10, 86400).default(300),
  /** pino log level. */
  KEYSTEP_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Optional JSON settings file (same keys as these variables). */
  KEYSTEP_CONFIG_FILE: z.string().min(1).optional(),
});

export type RawSettings = z.infer<typeof settingsSchema>;

/** Accepts 64 hex characters or base64/base64url of exactly 32 bytes. */
export function decodeKey(value: string): Buffer | undefined {
  const v = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) {
    const b = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === 32) return b;
  }
  return undefined;
}
