// The one interface every authentication factor implements (after Ory Kratos' strategies and
// Keycloak's Authenticator + RequiredAction). Interactions and the policy reach factors only
// through it, so adding a factor touches no interaction code.
import type { Organisation, Store, User } from '../store/port.js';
import type { Sealer } from '../crypto/sealer.js';

export interface FactorContext {
  store: Store;
  sealer: Sealer;
  /** Shown in authenticator apps. */
  totpIssuer: string;
  /** WebAuthn relying party: RP ID, name, allowed origins, challenge lifetime. */
  webauthn: { rpId: string; rpName: string; origins: string[]; challengeSeconds: number; metadataFile?: string };
  /** Keys backup-code hashes (kept outside the database). */
  backupCodeKey: Buffer;
  now(): Date;
}

export type EnrolmentStart =
  /** A TOTP-style factor: scan or type the secret, then confirm with a first code. */
  | { type: 'shared-secret'; factorId: string; otpauthUri: string; qrSvg: string; secretGroups: string[] }
  /** Look-up secrets shown once (backup codes). */
  | { type: 'codes'; codes: string[] }
  /** A WebAuthn registration ceremony: the browser answers these options; `factorId` is its handle. */
  | { type: 'webauthn'; factorId: string; optionsJSON: unknown };

/** What a proof says when it is more than the strategy's fixed metadata (WebAuthn: which key, UV). */
export interface FactorProof {
  amr: string[];
  phishingResistant?: boolean;
  hardware?: boolean;
  /** An attested, allow-listed, device-bound authenticator that verified the user: NIST AAL3. */
  aal3?: boolean;
}

/** What the challenge page needs from the factor (WebAuthn: the request options for the browser). */
export type ChallengePrompt = { type: 'webauthn'; optionsJSON: unknown };

export type VerifyOutcome =
  | { ok: true; factorId?: string; remaining?: number; proof?: FactorProof }
  | { ok: false; reason: 'invalid' | 'replay' | 'not_enrolled' | 'cloned' };

export type ConfirmOutcome = { ok: true; factorId: string; proof?: FactorProof } | { ok: false; reason: 'invalid' | 'not_found' };

export interface FactorStrategy {
  /** Stable identifier, stored with the factor. */
  readonly kind: string;
  /** What users see ("Authenticator app"). */
  readonly label: string;
  /** RFC 8176 authentication method reference values a successful verification adds. */
  readonly amr: readonly string[];
  /** Highest NIST SP 800-63B assurance level it can contribute to as a second factor. */
  readonly maxAal: 1 | 2 | 3;
  /** The same under an organisation's settings, when they matter (WebAuthn: aal3 needs direct attestation). */
  maxAalFor?(org: Organisation): 1 | 2 | 3;
  readonly phishingResistant: boolean;
  /** Listed in the factor picker on the challenge page (backup codes have their own link). */
  readonly showInPicker: boolean;
  /** Whether the user holds a usable instance of this factor. */
  isEnrolled(ctx: FactorContext, user: User): Promise<boolean>;
  enroll: {
    /** Begins enrolment; resumeFactorId shows a still-pending enrolment again instead. */
    start(ctx: FactorContext, user: User, input: { name?: string; resumeFactorId?: string }): Promise<EnrolmentStart>;
    confirm(ctx: FactorContext, user: User, input: { factorId: string; response: string; name?: string }): Promise<ConfirmOutcome>;
  };
  /**
   * Begins a challenge (e.g. sends a code, or WebAuthn options). Nothing for factors the user
   * already holds (TOTP). `needs.userVerification`: the level asked for needs it (aal3).
   */
  challenge(ctx: FactorContext, user: User, needs?: { userVerification?: boolean }): Promise<ChallengePrompt | void>;
  verify(ctx: FactorContext, user: User, response: string): Promise<VerifyOutcome>;
  remove(ctx: FactorContext, user: User, factorId: string): Promise<boolean>;
}
