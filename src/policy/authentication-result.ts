// What a completed sign-in says about itself: the RFC 8176 amr values and the acr reached, from
// the factors the user proved. Pure; the table is documented in the README.
//   password only                      → amr [pwd]            acr = baseline (aal1)
//   password + a second factor kind    → amr [pwd, otp, mfa]  acr = second level (aal2)
import { AMR, type AcrLevels } from './acr-levels.js';

export interface ProvenFactor {
  /** 'password' or a factor strategy kind. */
  kind: string;
  amr: readonly string[];
}

export const PASSWORD_FACTOR: ProvenFactor = { kind: 'password', amr: [AMR.password] };

export function authenticationResult(levels: AcrLevels, proven: readonly ProvenFactor[]): { acr: string; amr: string[] } {
  const amr = [...new Set(proven.flatMap((f) => f.amr))];
  // "mfa" when factors of two different kinds were used (RFC 8176 §2); TOTP and a backup code
  // are both "something you have", the password "something you know".
  const multiFactor = proven.some((f) => f.kind === 'password') && proven.some((f) => f.kind !== 'password');
  if (multiFactor) amr.push(AMR.multiFactor);
  const acr = multiFactor ? (levels.values[1] ?? levels.baseline) : levels.baseline;
  return { acr, amr };
}
