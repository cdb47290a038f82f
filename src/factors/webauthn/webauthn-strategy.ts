// WebAuthn (security keys, platform authenticators, passkeys) via @simplewebauthn/server.
// Challenges are single use and expire; signature counters must increase (a counter that does
// not is a possibly cloned credential: refused, flagged and audited). amr per RFC 8176: hwk for a
// device-bound credential, swk for a synced passkey, plus "user" when the authenticator verified
// the user (PIN or biometric).
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { FactorContext, FactorProof, FactorStrategy, VerifyOutcome } from '../strategy.js';
import type { MfaFactor, User } from '../../store/port.js';
import { AMR } from '../../policy/acr-levels.js';
import { AuditEvents } from '../../audit/events.js';
import { attestationPolicyOf, judgeAttestation, stillAttested } from './attestation-policy.js';
import { decodeAttestationObject } from '@simplewebauthn/server/helpers';

export const WEBAUTHN_KIND = 'webauthn';

// ES256, EdDSA, RS256: what every authenticator supports. Pinned, so that registrations do not
// depend on the Node version (newer Node would also offer post-quantum ML-DSA first).
const ALGORITHMS = [-7, -8, -257];

interface CredentialData {
  credential_id: string;
  /** Registered with an attestation the organisation's policy verified (AAGUID allow-listed). */
  attested?: boolean;
  public_key: string;
  counter: number;
  transports?: string[];
  aaguid?: string;
  device_type?: 'singleDevice' | 'multiDevice';
  backed_up?: boolean;
  clone_suspected?: boolean;
}

const credentialOf = (f: MfaFactor) => f.data as unknown as CredentialData;

function parse<T>(response: string): T | undefined {
  try {
    const v = JSON.parse(response) as unknown;
    return v && typeof v === 'object' ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}

export function proofOf(deviceType: string | undefined, userVerified: boolean, attested = false): FactorProof {
  const hardware = deviceType !== 'multiDevice';
  return {
    amr: [hardware ? AMR.hardwareKey : AMR.softwareKey, ...(userVerified ? [AMR.userPresenceVerified] : [])],
    phishingResistant: true,
    hardware,
    ...(attested && hardware && userVerified ? { aal3: true } : {}),
  };
}

async function policyFor(ctx: FactorContext, user: User) {
  const org = await ctx.store.organisations.findById(user.orgId);
  return attestationPolicyOf(org?.webauthnPolicy ?? {});
}

async function userCredentials(ctx: FactorContext, userId: string): Promise<MfaFactor[]> {
  return (await ctx.store.mfaFactors.listForUser(userId)).filter((f) => f.kind === WEBAUTHN_KIND);
}

/** Options for a sign-in ceremony; `userId` null for passwordless (discoverable credentials). */
export async function authenticationOptions(ctx: FactorContext, user: User | null, userVerification: 'required' | 'preferred') {
  // A credential flagged as cloned is no longer offered.
  const credentials = user ? (await userCredentials(ctx, user.id)).filter((f) => !credentialOf(f).clone_suspected) : [];
  const options = await generateAuthenticationOptions({
    rpID: ctx.webauthn.rpId,
    userVerification,
    timeout: ctx.webauthn.challengeSeconds * 1000,
    allowCredentials: credentials.map((f) => ({ id: credentialOf(f).credential_id, transports: credentialOf(f).transports as never })),
  });
  await ctx.store.webauthnChallenges.issue(options.challenge, { userId: user?.id ?? null, purpose: 'authentication', expiresInSeconds: ctx.webauthn.challengeSeconds });
  return options;
}

/**
 * Verifies an assertion for `factor`. The challenge must be one Keystep issued for this purpose,
 * unexpired, unused, and for this user (or for passwordless, for nobody in particular).
 */
export async function verifyAssertion(ctx: FactorContext, factor: MfaFactor, assertion: AuthenticationResponseJSON, requireUserVerification: boolean): Promise<VerifyOutcome> {
  const stored = credentialOf(factor);
  if (stored.clone_suspected) return { ok: false, reason: 'cloned' };
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response: assertion,
      expectedChallenge: async (challenge) => {
        const issued = await ctx.store.webauthnChallenges.consume(challenge, 'authentication');
        return issued !== undefined && (issued.userId === null || issued.userId === factor.userId);
      },
      expectedOrigin: ctx.webauthn.origins,
      expectedRPID: ctx.webauthn.rpId,
      // Counter 0: the library must not judge the counter before the signature is verified (an
      // unsigned low counter would otherwise flag a credential anyone can name); Keystep checks it below.
      credential: { id: stored.credential_id, publicKey: Buffer.from(stored.public_key, 'base64url'), counter: 0, transports: stored.transports as never },
      requireUserVerification,
    });
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (!result.verified) return { ok: false, reason: 'invalid' };
  const info = result.authenticationInfo;
  // A validly signed assertion whose counter does not increase: a cloned authenticator.
  if ((info.newCounter > 0 || stored.counter > 0) && info.newCounter <= stored.counter) return flagClone(ctx, factor);
  // Atomic: of two uses racing with the same counter value only one advances it.
  const advanced = await ctx.store.mfaFactors.updateData(
    factor.id,
    { counter: info.newCounter, device_type: info.credentialDeviceType, backed_up: info.credentialBackedUp },
    info.newCounter,
  );
  if (!advanced) return flagClone(ctx, factor);
  await ctx.store.mfaFactors.recordUse(factor.id);
  const owner = await ctx.store.users.findById(factor.userId);
  const attested = Boolean(stored.attested) && owner !== undefined && stillAttested(await policyFor(ctx, owner), stored.aaguid);
  return { ok: true, factorId: factor.id, proof: proofOf(info.credentialDeviceType, info.userVerified, attested) };
}

async function flagClone(ctx: FactorContext, factor: MfaFactor): Promise<VerifyOutcome> {
  await ctx.store.mfaFactors.updateData(factor.id, { clone_suspected: true });
  const user = await ctx.store.users.findById(factor.userId);
  await ctx.store.audit.record({
    event: AuditEvents.webauthnCloneSuspected,
    orgId: user?.orgId ?? null,
    userId: factor.userId,
    factor: WEBAUTHN_KIND,
    details: { factor_id: factor.id, credential_id: credentialOf(factor).credential_id },
  });
  return { ok: false, reason: 'cloned' };
}

export const webauthnStrategy: FactorStrategy = {
  kind: WEBAUTHN_KIND,
  label: 'Security key or passkey',
  amr: [AMR.hardwareKey],
  maxAal: 3,
  maxAalFor: (org) => (attestationPolicyOf(org.webauthnPolicy).attestation === 'direct' ? 3 : 2),
  phishingResistant: true,
  showInPicker: true,

  async isEnrolled(ctx, user) {
    return (await userCredentials(ctx, user.id)).some((f) => !credentialOf(f).clone_suspected);
  },

  enroll: {
    async start(ctx, user) {
      const existing = await userCredentials(ctx, user.id);
      const options = await generateRegistrationOptions({
        rpName: ctx.webauthn.rpName,
        rpID: ctx.webauthn.rpId,
        userName: user.email,
        userDisplayName: user.name ?? user.email,
        userID: new TextEncoder().encode(user.id),
        attestationType: (await policyFor(ctx, user)).attestation,
        timeout: ctx.webauthn.challengeSeconds * 1000,
        excludeCredentials: existing.map((f) => ({ id: credentialOf(f).credential_id, transports: credentialOf(f).transports })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
        supportedAlgorithmIDs: ALGORITHMS,
      });
      await ctx.store.webauthnChallenges.issue(options.challenge, { userId: user.id, purpose: 'registration', expiresInSeconds: ctx.webauthn.challengeSeconds });
      return { type: 'webauthn', factorId: options.challenge, optionsJSON: options };
    },

    async confirm(ctx, user, input) {
      const response = parse<RegistrationResponseJSON>(input.response);
      if (!response) return { ok: false, reason: 'invalid' };
      let result;
      try {
        result = await verifyRegistrationResponse({
          response,
          expectedChallenge: async (challenge) => {
            if (challenge !== input.factorId) return false;
            const issued = await ctx.store.webauthnChallenges.consume(challenge, 'registration');
            return issued?.userId === user.id;
          },
          expectedOrigin: ctx.webauthn.origins,
          expectedRPID: ctx.webauthn.rpId,
          requireUserVerification: false,
          supportedAlgorithmIDs: ALGORITHMS,
        });
      } catch {
        return { ok: false, reason: 'invalid' };
      }
      if (!result.verified) return { ok: false, reason: 'invalid' };
      const info = result.registrationInfo;
      const attStmt = decodeAttestationObject(info.attestationObject).get('attStmt');
      const x5c = attStmt?.get('x5c');
      const verdict = judgeAttestation(await policyFor(ctx, user), { fmt: info.fmt, aaguid: info.aaguid, certified: Array.isArray(x5c) && x5c.length > 0 });
      if (!verdict.accepted) return { ok: false, reason: 'invalid' };
      const data: CredentialData = {
        credential_id: info.credential.id,
        attested: verdict.attested,
        public_key: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports: info.credential.transports,
        aaguid: info.aaguid,
        device_type: info.credentialDeviceType,
        backed_up: info.credentialBackedUp,
      };
      let factor: MfaFactor;
      try {
        factor = await ctx.store.mfaFactors.createPending({
          userId: user.id,
          kind: WEBAUTHN_KIND,
          name: input.name?.trim() || (info.credentialDeviceType === 'multiDevice' ? 'Passkey' : 'Security key'),
          secretEncrypted: null,
          data: data as unknown as Record<string, unknown>,
        });
      } catch (err) {
        // A credential id that is already registered (unique index): refused, not a server error.
        if ((err as { code?: string }).code === '23505') return { ok: false, reason: 'invalid' };
        throw err;
      }
      await ctx.store.mfaFactors.confirm(factor.id, user.id);
      return { ok: true, factorId: factor.id, proof: proofOf(info.credentialDeviceType, info.userVerified, verdict.attested) };
    },
  },

  async challenge(ctx, user, needs) {
    return { type: 'webauthn', optionsJSON: await authenticationOptions(ctx, user, needs?.userVerification ? 'required' : 'preferred') };
  },

  async verify(ctx, user, response) {
    const assertion = parse<AuthenticationResponseJSON>(response);
    if (!assertion || typeof assertion.id !== 'string') return { ok: false, reason: 'invalid' };
    const factor = await ctx.store.mfaFactors.findByCredentialId(assertion.id);
    if (!factor || factor.userId !== user.id) return { ok: false, reason: 'invalid' };
    return verifyAssertion(ctx, factor, assertion, false);
  },

  async remove(ctx, user, factorId) {
    const factor = await ctx.store.mfaFactors.find(factorId);
    if (!factor || factor.kind !== WEBAUTHN_KIND) return false;
    return ctx.store.mfaFactors.remove(factorId, user.id);
  },
};
