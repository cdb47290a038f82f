// Which authenticators an organisation accepts at WebAuthn registration. "none" (default):
// any, no attestation asked. "direct": the authenticator must present an attestation statement
// that verifies against the FIDO metadata loaded from KEYSTEP_FIDO_METADATA_FILE (no network at
// runtime), from an AAGUID on the organisation's allow-list. Only such attested, device-bound
// authenticators with user verification reach aal3.
import { readFileSync } from 'node:fs';
import { MetadataService, type MetadataStatement } from '@simplewebauthn/server';

export interface AttestationPolicy {
  attestation: 'none' | 'direct';
  aaguids: string[];
  /** Offer to add a passkey after a password + code sign-in (progressive enrolment). */
  offerPasskeys: boolean;
}

export function attestationPolicyOf(stored: Record<string, unknown>): AttestationPolicy {
  const aaguids = Array.isArray(stored.aaguids) ? stored.aaguids.filter((a): a is string => typeof a === 'string').map((a) => a.toLowerCase()) : [];
  return { attestation: stored.attestation === 'direct' ? 'direct' : 'none', aaguids, offerPasskeys: stored.offerPasskeys === true };
}

export const AAGUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The AAGUIDs the loaded metadata describes (empty before loadMetadata). */
const described = new Set<string>();

/** Reads metadata statements from a file (a JSON array of statements, or an MDS3 payload). */
export async function loadMetadata(file: string): Promise<number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`KEYSTEP_FIDO_METADATA_FILE: cannot read ${file}: ${(err as Error).message}`);
  }
  const entries = Array.isArray(parsed) ? parsed : ((parsed as { entries?: Array<{ metadataStatement?: unknown }> }).entries ?? []).map((e) => e.metadataStatement);
  // SimpleWebAuthn looks statements up by the lower-case AAGUID: normalise, or the chain check is skipped.
  const statements = entries
    .filter((s): s is MetadataStatement => Boolean(s && typeof s === 'object' && typeof (s as { aaguid?: unknown }).aaguid === 'string'))
    .map((s) => ({ ...s, aaguid: s.aaguid!.toLowerCase() }));
  // Local statements only: mdsServers empty, nothing is fetched.
  await MetadataService.initialize({ statements, mdsServers: [], verificationMode: 'permissive' });
  described.clear();
  for (const s of statements) if (s.aaguid) described.add(s.aaguid.toLowerCase());
  return statements.length;
}

/** aal3 holds only while the organisation still requires direct attestation and lists the model. */
export function stillAttested(policy: AttestationPolicy, aaguid: string | undefined): boolean {
  return policy.attestation === 'direct' && aaguid !== undefined && policy.aaguids.includes(aaguid.toLowerCase());
}

export type AttestationVerdict = { accepted: true; attested: boolean } | { accepted: false; reason: string };

/**
 * After @simplewebauthn verified the attestation statement (chains checked against the metadata).
 * `certified`: the statement carries a certificate chain (x5c); self attestation proves no model.
 * Only a "direct" organisation marks registrations attested.
 */
export function judgeAttestation(policy: AttestationPolicy, registration: { fmt: string; aaguid: string; certified: boolean }): AttestationVerdict {
  const aaguid = registration.aaguid.toLowerCase();
  if (policy.attestation === 'none') return { accepted: true, attested: false };
  if (registration.fmt === 'none' || !registration.certified) return { accepted: false, reason: 'the authenticator did not present an attestation' };
  if (!described.has(aaguid)) return { accepted: false, reason: 'no FIDO metadata describes this authenticator' };
  if (!policy.aaguids.includes(aaguid)) return { accepted: false, reason: 'this authenticator model is not on the organisation allow-list' };
  return { accepted: true, attested: true };
}
