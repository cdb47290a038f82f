// Checks a Keystep access token (RFC 9068 JWT) for an API, and says what an insufficient one
// lacks in RFC 9470 terms. Framework-neutral; the Koa and Node/Express wrappers are in index.ts.
import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';

export interface RequireAuthOptions {
  /** Keystep's issuer identifier. */
  issuer: string;
  /** This API's resource indicator (the token's `aud`). */
  audience: string;
  /** The weakest acceptable level: a token at this level or above (in `acrOrder`) passes. */
  acr?: string;
  /** Levels weakest first; default aal1, aal2, aal3. */
  acrOrder?: readonly string[];
  /** amr values that must all be present. */
  amr?: readonly string[];
  /** Seconds since auth_time after which the user must authenticate again. */
  maxAge?: number;
  /** Default <issuer>/jwks. Keys are fetched once and cached (jose). */
  jwksUri?: string;
  clockToleranceSeconds?: number;
  /** For tests: the current time. */
  now?: () => Date;
}

export type AuthResult =
  | { ok: true; claims: JWTPayload & { acr?: string; amr?: string[]; auth_time?: number; client_id?: string; scope?: string } }
  | { ok: false; status: 401; error: 'invalid_request' | 'invalid_token' | 'insufficient_user_authentication' | undefined; wwwAuthenticate: string };

const DEFAULT_ORDER = ['aal1', 'aal2', 'aal3'];

const quote = (v: string) => `"${v.replace(/["\\]/g, '')}"`;

function challenge(params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? v : quote(v!)}`);
  return parts.length ? `Bearer ${parts.join(', ')}` : 'Bearer';
}

export function createAuthVerifier(options: RequireAuthOptions): (authorization: string | undefined) => Promise<AuthResult> {
  const jwks = createRemoteJWKSet(new URL(options.jwksUri ?? `${options.issuer.replace(/\/+$/, '')}/jwks`));
  const order = options.acrOrder ?? DEFAULT_ORDER;
  // A level outside the order would let every token through: refuse the configuration instead.
  if (options.acr !== undefined && !order.includes(options.acr)) {
    throw new TypeError(`requireAuth: acr "${options.acr}" is not one of ${order.join(', ')}`);
  }
  const now = options.now ?? (() => new Date());
  const invalid = (description: string): AuthResult => ({
    ok: false,
    status: 401,
    error: 'invalid_token',
    wwwAuthenticate: challenge({ error: 'invalid_token', error_description: description }),
  });
  const insufficient = (description: string): AuthResult => ({
    ok: false,
    status: 401,
    error: 'insufficient_user_authentication',
    wwwAuthenticate: challenge({
      error: 'insufficient_user_authentication',
      error_description: description,
      acr_values: options.acr,
      max_age: options.maxAge,
    }),
  });

  return async (authorization) => {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization?.trim() ?? '');
    if (!authorization) return { ok: false, status: 401, error: undefined, wwwAuthenticate: 'Bearer' };
    if (!match) return { ok: false, status: 401, error: 'invalid_request', wwwAuthenticate: challenge({ error: 'invalid_request', error_description: 'malformed Authorization header' }) };
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(match[1]!, jwks, {
        issuer: options.issuer,
        audience: options.audience,
        typ: 'at+jwt',
        algorithms: ['RS256'],
        currentDate: now(),
        clockTolerance: options.clockToleranceSeconds ?? 5,
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) return invalid('the access token has expired');
      if (err instanceof joseErrors.JWTClaimValidationFailed) return invalid(`the access token's ${err.claim} is not accepted`);
      return invalid('the access token is not valid');
    }
    const c = claims as JWTPayload & { acr?: unknown; amr?: unknown; auth_time?: unknown };
    if (options.acr !== undefined) {
      const have = typeof c.acr === 'string' ? order.indexOf(c.acr) : -1;
      if (have < 0 || have < order.indexOf(options.acr)) return insufficient(`authentication at level ${options.acr} or above is required`);
    }
    if (options.amr?.length) {
      const amr = Array.isArray(c.amr) ? c.amr : [];
      if (!options.amr.every((m) => amr.includes(m))) return insufficient(`authentication with ${options.amr.join(', ')} is required`);
    }
    if (options.maxAge !== undefined) {
      const authTime = typeof c.auth_time === 'number' ? c.auth_time : undefined;
      if (authTime === undefined || Math.floor(now().getTime() / 1000) - authTime > options.maxAge) {
        return insufficient('a more recent authentication is required');
      }
    }
    return { ok: true, claims: claims as Extract<AuthResult, { ok: true }>['claims'] };
  };
}
