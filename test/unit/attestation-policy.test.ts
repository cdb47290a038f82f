// The organisation's WebAuthn attestation policy: which registrations it accepts, which are attested.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attestationPolicyOf, judgeAttestation, loadMetadata } from '../../src/factors/webauthn/attestation-policy.js';

const KNOWN = '2fc0579f-8113-47ea-b116-bb5a8db9202a';
const UNKNOWN = '00000000-0000-0000-0000-00000000abcd';

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'keystep-mds-'));
  const file = path.join(dir, 'mds.json');
  // An MDS3-style payload: only the AAGUIDs matter to the policy (chains are checked by SimpleWebAuthn).
  writeFileSync(file, JSON.stringify({ entries: [{ metadataStatement: { aaguid: KNOWN.toUpperCase(), description: 'Test key', attestationRootCertificates: [] } }, { other: true }] }));
  expect(await loadMetadata(file)).toBe(1);
});

describe('attestationPolicyOf', () => {
  test.each([
    [{}, { attestation: 'none', aaguids: [], offerPasskeys: false }],
    [{ attestation: 'direct', offerPasskeys: true }, { attestation: 'direct', aaguids: [], offerPasskeys: true }],
    [{ attestation: 'indirect', aaguids: [KNOWN.toUpperCase(), 7], offerPasskeys: 'yes' }, { attestation: 'none', aaguids: [KNOWN], offerPasskeys: false }],
    [{ attestation: 'direct', aaguids: 'nope' }, { attestation: 'direct', aaguids: [], offerPasskeys: false }],
  ])('%j → %j', (stored, expected) => {
    expect(attestationPolicyOf(stored as Record<string, unknown>)).toEqual(expected);
  });
});

describe('judgeAttestation', () => {
  const direct = { attestation: 'direct' as const, aaguids: [KNOWN], offerPasskeys: false };
  const none = { attestation: 'none' as const, aaguids: [KNOWN], offerPasskeys: false };
  test.each([
    ['none policy, no attestation', none, 'none', UNKNOWN, true, { accepted: true, attested: false }],
    ['none policy, even an attested allow-listed key is not marked attested', none, 'packed', KNOWN, true, { accepted: true, attested: false }],
    ['direct policy, attested allow-listed key', direct, 'packed', KNOWN.toUpperCase(), true, { accepted: true, attested: true }],
    ['direct policy, self attestation (no x5c)', direct, 'packed', KNOWN, false, { accepted: false, reason: 'the authenticator did not present an attestation' }],
    ['direct policy, no attestation', direct, 'none', KNOWN, false, { accepted: false, reason: 'the authenticator did not present an attestation' }],
    ['direct policy, no metadata for the AAGUID', direct, 'packed', UNKNOWN, true, { accepted: false, reason: 'no FIDO metadata describes this authenticator' }],
    ['direct policy, described but not allow-listed', { attestation: 'direct' as const, aaguids: [], offerPasskeys: false }, 'packed', KNOWN, true, { accepted: false, reason: 'this authenticator model is not on the organisation allow-list' }],
  ])('%s', (_name, policy, fmt, aaguid, certified, expected) => {
    expect(judgeAttestation(policy, { fmt, aaguid, certified })).toEqual(expected);
  });
});

test('an unreadable metadata file is a one-line error naming the setting', async () => {
  await expect(loadMetadata(path.join(os.tmpdir(), 'does-not-exist-keystep.json'))).rejects.toThrow(/^KEYSTEP_FIDO_METADATA_FILE: cannot read/);
});
