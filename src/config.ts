// Loads and validates settings (schema in config/schema.ts) into the shape the code uses.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { settingsSchema, decodeKey } from '../config/schema.js';

export interface Settings {
  port: number;
  issuer: string;
  databaseUrl: string | undefined;
  /** Absolute path of the PGlite data dir, or ':memory:'. */
  dataDir: string;
  demo: boolean;
  trustProxy: boolean;
  encryptionKey: Buffer | undefined;
  jwksFile: string | undefined;
  defaultAudience: string | undefined;
  resources: string[];
  acrValues: string[];
  /** Lifetime and idle limit of the AAL2 and AAL3 levels, seconds. */
  levelLifetimes: Record<2 | 3, { maxAge: number; idle: number }>;
  login: { maxFailures: number; maxAttemptsPerIp: number; lockoutSeconds: number };
  mfa: { maxFailures: number; lockoutSeconds: number; totpIssuer: string };
  webauthn: { rpId: string; rpName: string; origins: string[]; challengeSeconds: number; metadataFile: string | undefined };
  ttl: { accessToken: number; idToken: number; refreshToken: number; session: number };
  sweepIntervalSeconds: number;
  logLevel: string;
}

export class ConfigurationError extends Error {}

const DEFAULT_FILE = path.join('config', 'keystep.json');

function readFileSettings(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const file = env.KEYSTEP_CONFIG_FILE ?? (existsSync(DEFAULT_FILE) ? DEFAULT_FILE : undefined);
  if (!file) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigurationError(`KEYSTEP_CONFIG_FILE: cannot read ${file}: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigurationError(`KEYSTEP_CONFIG_FILE: ${file} must hold a JSON object`);
  }
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v === null ? undefined : String(v)]));
}

/** Validates the environment (and optional file); throws ConfigurationError naming the variable. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const known = Object.keys(settingsSchema.shape);
  const fromEnv = Object.fromEntries(known.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]));
  const input = { ...readFileSettings(env), ...fromEnv };
  const result = settingsSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? 'configuration');
    // Never repeat a secret (or a connection string with its password) into logs.
    const secret = name === 'KEYSTEP_ENCRYPTION_KEY' || name === 'DATABASE_URL';
    const got = secret ? '' : ` (got ${JSON.stringify(input[name as keyof typeof input])})`;
    throw new ConfigurationError(`${name}: ${issue.message}${got}`);
  }
  const s = result.data;
  const issuer = (s.KEYSTEP_ISSUER ?? `http://localhost:${s.PORT}`).replace(/\/+$/, '');
  const dataDir = s.KEYSTEP_DATA_DIR === ':memory:' ? ':memory:' : path.resolve(s.KEYSTEP_DATA_DIR);
  if (s.DATABASE_URL && s.KEYSTEP_DEMO === true) {
    throw new ConfigurationError('KEYSTEP_DEMO: the demo runs only on the embedded store (unset DATABASE_URL)');
  }
  if (s.DATABASE_URL && !s.KEYSTEP_ENCRYPTION_KEY) {
    throw new ConfigurationError('KEYSTEP_ENCRYPTION_KEY: required when DATABASE_URL is set (32 bytes, 64 hex characters)');
  }
  return {
    port: s.PORT,
    issuer,
    databaseUrl: s.DATABASE_URL,
    dataDir,
    demo: s.DATABASE_URL ? false : (s.KEYSTEP_DEMO ?? true),
    trustProxy: s.KEYSTEP_TRUST_PROXY,
    encryptionKey: s.KEYSTEP_ENCRYPTION_KEY ? decodeKey(s.KEYSTEP_ENCRYPTION_KEY) : undefined,
    jwksFile: s.KEYSTEP_JWKS_FILE,
    defaultAudience: s.KEYSTEP_DEFAULT_AUDIENCE,
    resources: s.KEYSTEP_RESOURCES,
    acrValues: s.KEYSTEP_ACR_VALUES,
    levelLifetimes: {
      2: { maxAge: s.KEYSTEP_AAL2_MAX_AGE, idle: s.KEYSTEP_AAL2_IDLE },
      3: { maxAge: s.KEYSTEP_AAL3_MAX_AGE, idle: s.KEYSTEP_AAL3_IDLE },
    },
    login: {
      maxFailures: s.KEYSTEP_LOGIN_MAX_FAILURES,
      maxAttemptsPerIp: s.KEYSTEP_LOGIN_MAX_ATTEMPTS_PER_IP,
      lockoutSeconds: s.KEYSTEP_LOGIN_LOCKOUT_SECONDS,
    },
    mfa: {
      maxFailures: s.KEYSTEP_MFA_MAX_FAILURES,
      lockoutSeconds: s.KEYSTEP_MFA_LOCKOUT_SECONDS,
      totpIssuer: s.KEYSTEP_TOTP_ISSUER,
    },
    webauthn: {
      rpId: s.KEYSTEP_WEBAUTHN_RP_ID ?? new URL(issuer).hostname,
      rpName: s.KEYSTEP_WEBAUTHN_RP_NAME,
      origins: s.KEYSTEP_WEBAUTHN_ORIGINS ?? [new URL(issuer).origin],
      challengeSeconds: s.KEYSTEP_WEBAUTHN_CHALLENGE_SECONDS,
      metadataFile: s.KEYSTEP_FIDO_METADATA_FILE,
    },
    ttl: {
      accessToken: s.KEYSTEP_ACCESS_TOKEN_TTL,
      idToken: s.KEYSTEP_ID_TOKEN_TTL,
      refreshToken: s.KEYSTEP_REFRESH_TOKEN_TTL,
      session: s.KEYSTEP_SESSION_TTL,
    },
    sweepIntervalSeconds: s.KEYSTEP_SWEEP_INTERVAL,
    logLevel: s.KEYSTEP_LOG_LEVEL,
  };
}
