// What a completed sign-in says about itself: the RFC 8176 amr values and the acr reached, from
// the factors the user proved. Pure; the table is documented in the README.
//   password only                              → amr [pwd]                 acr aal1
//   password + TOTP / backup code              → amr [pwd, otp, mfa]       acr aal2
//   password + security key (no UV)            → amr [pwd, hwk, mfa]       acr phrh
//   passkey with user verification, alone      → amr [swk|hwk, user, mfa]  acr phr|phrh
//   passkey without user verification, alone   → amr [swk|hwk]             acr aal1
//   attested, allow-listed security key with UV → amr [hwk, user, mfa]     acr aal3
// The acr is the strongest configured level whose demands (AAL, phishing resistance, hardware)
// the proofs meet.
import { AMR, type AcrLevels } from './acr-levels.js';

export interface ProvenFactor {
  /** 'password' or a factor strategy kind. */
  kind: string;
  amr: readonly string[];
  /** Proven with a phishing-resistant authenticator (WebAuthn). */
  phishingResistant?: boolean;
  /** ... that is device-bound (hardware). */
  hardware?: boolean;
  /** An attested, allow-listed, device-bound authenticator that verified the user. */
  aal3?: boolean;
}

export const PASSWORD_FACTOR: ProvenFactor = { kind: 'password', amr: [AMR.password] };

/** Factors of two different kinds were proven (RFC 8176 "mfa"). */
export function isMultiFactor(proven: readonly ProvenFactor[]): boolean {
  // The password is "something you know"; TOTP, backup codes and WebAuthn "something you have";
  // WebAuthn with user verification ("user") is itself multi-factor.
  const password = proven.some((f) => f.kind === 'password');
  return (password && proven.some((f) => f.kind !== 'password')) || proven.some((f) => f.kind !== 'password' && f.amr.includes(AMR.userPresenceVerified));
}

export function authenticationResult(levels: AcrLevels, proven: readonly ProvenFactor[]): { acr: string; amr: string[] } {
  const amr = [...new Set(proven.flatMap((f) => f.amr))];
  const multiFactor = isMultiFactor(proven);
  if (multiFactor) amr.push(AMR.multiFactor);
  const aal = multiFactor ? (proven.some((f) => f.aal3) ? 3 : 2) : 1;
  const phishingResistant = proven.some((f) => f.phishingResistant);
  const hardware = proven.some((f) => f.phishingResistant && f.hardware);
  const met = levels.levels.filter((l) => l.aal <= aal && (!l.phishingResistant || phishingResistant) && (!l.hardware || hardware));
  const acr = met.length ? met[met.length - 1]!.name : levels.baseline;
  return { acr, amr };
}
