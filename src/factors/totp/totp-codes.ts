// The TOTP code path (RFC 6238 over RFC 4226) Keystep uses, via otplib: generation, and
// verification within ±1 time step that also reports the step it matched.
import { generate, verify, generateSecret } from 'otplib';

export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;
/** 20 random bytes: a 160-bit secret (RFC 4226's recommended length). */
export const TOTP_SECRET_BYTES = 20;

export interface TotpParameters {
  digits?: 6 | 8;
  algorithm?: 'sha1' | 'sha256' | 'sha512';
}

export function newTotpSecret(): string {
  return generateSecret({ length: TOTP_SECRET_BYTES });
}

export function totpCode(secret: string | Uint8Array, epochSeconds: number, p: TotpParameters = {}): Promise<string> {
  return generate({ secret, epoch: epochSeconds, period: TOTP_PERIOD, digits: p.digits ?? TOTP_DIGITS, algorithm: p.algorithm ?? 'sha1' });
}

/** The time step the code belongs to (within ±1 step of now), or undefined. Steps <= afterStep never match. */
export async function matchTotp(
  secret: string | Uint8Array,
  code: string,
  epochSeconds: number,
  afterStep?: number,
  p: TotpParameters = {},
): Promise<number | undefined> {
  const digits = p.digits ?? TOTP_DIGITS;
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return undefined;
  // Nothing at or before afterStep can match; otplib refuses an afterStep beyond the window.
  if (afterStep !== undefined && (!Number.isInteger(afterStep) || afterStep >= Math.floor(epochSeconds / TOTP_PERIOD) + 1)) return undefined;
  if (afterStep !== undefined && afterStep < 0) afterStep = undefined;
  const result = await verify({
    secret,
    token: code,
    epoch: epochSeconds,
    period: TOTP_PERIOD,
    digits,
    algorithm: p.algorithm ?? 'sha1',
    epochTolerance: TOTP_PERIOD,
    ...(afterStep === undefined ? {} : { afterTimeStep: afterStep }),
  });
  // otplib's result type is shared with HOTP; for TOTP a valid result carries the time step.
  return result.valid ? (result as { timeStep: number }).timeStep : undefined;
}

/** Base32 secret in groups of four for typing into an app by hand. */
export const groupSecret = (secret: string) => secret.match(/.{1,4}/g) ?? [];
