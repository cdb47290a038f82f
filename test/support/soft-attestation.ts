// Attestation for the software authenticator (test/support/soft-authenticator.ts), no browser:
// a test attestation CA, attestation certificates it issues (FIDO "packed" requirements:
// version 3, OU "Authenticator Attestation", basic constraints CA false, the AAGUID extension),
// FIDO metadata statements naming the CA as root, and `attest()`, which turns the 'none'
// registration createCredential() made into a 'packed' one: the AAGUID put into the
// authenticator data and an attestation statement signed over authData || SHA-256(clientDataJSON)
// with the attestation certificate's key, x5c = the chain (full attestation). selfAttest() makes
// a 'packed' self attestation instead (no x5c, signed by the credential key).
//
//   const ca = await createAttestationCa('Keystep Test Root');
//   const leaf = await issueAttestationCertificate(ca, { aaguid });
//   writeFileSync(file, JSON.stringify(metadataPayload([metadataStatement({ aaguid, roots: [ca] })])));
//   const reg = attest(createCredential(options, { origin, rpId, uv: true }), { aaguid, x5c: [leaf.der], key: leaf.key });
//
// The credential key stays in the soft authenticator, so its getAssertion() signs for the
// attested credential as well (the credential id is unchanged).
import 'reflect-metadata';
import { createHash, generateKeyPairSync, webcrypto, KeyObject, sign } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { MetadataStatement, RegistrationResponseJSON } from '@simplewebauthn/server';
import { decodeAttestationObject, isoCBOR } from '@simplewebauthn/server/helpers';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;
const COSE_ES256 = -7;
/** id-fido-gen-ce-aaguid: the AAGUID of the authenticator model an attestation certificate speaks for. */
const OID_FIDO_GEN_CE_AAGUID = '1.3.6.1.4.1.45724.1.1.4';
const DAY_MS = 86_400_000;

export interface Certificate {
  cert: x509.X509Certificate;
  /** DER, as x5c carries it. */
  der: Buffer;
  /** The certificate's private key. */
  privateKey: CryptoKey;
  /** The same key for node:crypto's sign(). */
  key: KeyObject;
}

let serial = 1;
const nextSerial = () => (serial++).toString(16).padStart(2, '0').padStart(16, '7');

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
}

function certificateOf(cert: x509.X509Certificate, privateKey: CryptoKey): Certificate {
  return { cert, der: Buffer.from(cert.rawData), privateKey, key: KeyObject.from(privateKey) };
}

/** A self-signed attestation root (what a vendor lists in attestationRootCertificates). */
export async function createAttestationCa(commonName: string): Promise<Certificate> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: `C=US, O=Keystep Test Vendor, CN=${commonName}`,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 30 * DAY_MS),
    signingAlgorithm: ECDSA_SHA256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return certificateOf(cert, keys.privateKey);
}

/** The 16 bytes of an AAGUID written 8-4-4-4-12. */
export function aaguidBytes(aaguid: string): Buffer {
  const hex = aaguid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not an AAGUID: ${aaguid}`);
  return Buffer.from(hex, 'hex');
}

/**
 * An attestation certificate issued by `issuer` (FIDO packed requirements). `aaguid`: put the
 * id-fido-gen-ce-aaguid extension in (its value an OCTET STRING of the 16 bytes).
 */
export async function issueAttestationCertificate(issuer: Certificate, o: { aaguid?: string; commonName?: string } = {}): Promise<Certificate> {
  const keys = await keyPair();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    await x509.AuthorityKeyIdentifierExtension.create(issuer.cert),
  ];
  if (o.aaguid) extensions.push(new x509.Extension(OID_FIDO_GEN_CE_AAGUID, false, Buffer.concat([Buffer.from([0x04, 0x10]), aaguidBytes(o.aaguid)])));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: `C=US, O=Keystep Test Vendor, OU=Authenticator Attestation, CN=${o.commonName ?? 'Keystep Soft Key'}`,
    issuer: issuer.cert.subject,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 30 * DAY_MS),
    signingAlgorithm: ECDSA_SHA256,
    publicKey: keys.publicKey,
    signingKey: issuer.privateKey,
    extensions,
  });
  return certificateOf(cert, keys.privateKey);
}

/** A FIDO metadata statement for a device-bound FIDO2 key (ES256, full attestation) rooted at `roots`. */
export function metadataStatement(o: { aaguid: string; roots: Certificate[]; description?: string }): MetadataStatement {
  return {
    aaguid: o.aaguid,
    description: o.description ?? 'Keystep soft security key',
    authenticatorVersion: 1,
    protocolFamily: 'fido2',
    schema: 3,
    upv: [{ major: 1, minor: 0 }],
    authenticationAlgorithms: ['secp256r1_ecdsa_sha256_raw'],
    publicKeyAlgAndEncodings: ['cose'],
    attestationTypes: ['basic_full'],
    userVerificationDetails: [[{ userVerificationMethod: 'passcode_internal' }], [{ userVerificationMethod: 'presence_internal' }]],
    keyProtection: ['hardware', 'secure_element'],
    matcherProtection: ['on_chip'],
    attachmentHint: ['external', 'wired'],
    tcDisplay: [],
    attestationRootCertificates: o.roots.map((r) => r.der.toString('base64')),
    authenticatorGetInfo: {
      versions: ['FIDO_2_0'],
      aaguid: o.aaguid.replace(/-/g, '').toLowerCase(),
      options: { rk: true, up: true, uv: true, clientPin: true },
      algorithms: [{ type: 'public-key', alg: COSE_ES256 }],
    },
  };
}

/** An MDS3 BLOB payload (what a JWT from the FIDO MDS carries) listing the statements. */
export function metadataPayload(statements: MetadataStatement[]) {
  return {
    legalHeader: 'Test metadata, not from the FIDO Alliance.',
    no: 1,
    nextUpdate: new Date(Date.now() + 30 * DAY_MS).toISOString().slice(0, 10),
    entries: statements.map((s) => ({
      aaguid: s.aaguid,
      metadataStatement: s,
      statusReports: [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }],
      timeOfLastStatusChange: '2024-01-01',
    })),
  };
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

/** Offset of the AAGUID in authenticator data: rpIdHash (32), flags (1), signCount (4). */
const AAGUID_OFFSET = 37;

/** A 'packed' full attestation (x5c) of a registration that createCredential() answered with 'none'. */
export function attest(registration: RegistrationResponseJSON, o: { aaguid: string; x5c: Buffer[]; key: KeyObject }): RegistrationResponseJSON {
  return repack(registration, o.aaguid, undefined, (signed) =>
    new Map<string, number | Uint8Array | Uint8Array[]>([
      ['alg', COSE_ES256],
      ['sig', new Uint8Array(sign('sha256', signed, o.key))],
      ['x5c', o.x5c.map((c) => new Uint8Array(c))],
    ]),
  );
}

/**
 * A 'packed' self attestation (no x5c: signed with the credential key itself, which proves
 * nothing about the authenticator model). The soft authenticator does not expose its keys, so
 * the credential gets a fresh key here; the result registers, but the soft authenticator cannot
 * sign assertions for it.
 */
export function selfAttest(registration: RegistrationResponseJSON, o: { aaguid: string }): RegistrationResponseJSON {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const attested = repack(registration, o.aaguid, publicKey, (signed) =>
    new Map<string, number | Uint8Array>([
      ['alg', COSE_ES256],
      ['sig', new Uint8Array(sign('sha256', signed, privateKey))],
    ]),
  );
  return { ...attested, response: { ...attested.response, publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64url') } };
}

/** The COSE_Key of a P-256 public key (as soft-authenticator.ts encodes it). */
function coseKey(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  return isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2],
      [3, COSE_ES256],
      [-1, 1],
      [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
    ]),
  );
}

function repack(registration: RegistrationResponseJSON, aaguid: string, credentialKey: KeyObject | undefined, statement: (signed: Buffer) => Map<string, unknown>): RegistrationResponseJSON {
  const decoded = decodeAttestationObject(Buffer.from(registration.response.attestationObject, 'base64url'));
  if (decoded.get('fmt') !== 'none') throw new Error(`expected a 'none' attestation to re-pack, got ${decoded.get('fmt')}`);
  let authData = Buffer.from(decoded.get('authData'));
  aaguidBytes(aaguid).copy(authData, AAGUID_OFFSET);
  if (credentialKey) {
    // Attested credential data: AAGUID (16), credential id length (2), credential id, COSE key (last: no extensions).
    const idLength = authData.readUInt16BE(AAGUID_OFFSET + 16);
    authData = Buffer.concat([authData.subarray(0, AAGUID_OFFSET + 18 + idLength), coseKey(credentialKey)]);
  }
  const clientDataHash = sha256(Buffer.from(registration.response.clientDataJSON, 'base64url'));
  const attStmt = statement(Buffer.concat([authData, clientDataHash]));
  const attestationObject = isoCBOR.encode(
    new Map<string, unknown>([
      ['fmt', 'packed'],
      ['attStmt', attStmt],
      ['authData', new Uint8Array(authData)],
    ]) as never,
  );
  return {
    ...registration,
    response: {
      ...registration.response,
      attestationObject: Buffer.from(attestationObject).toString('base64url'),
      authenticatorData: authData.toString('base64url'),
    },
  };
}
