// A minimal software WebAuthn authenticator (and client) in Node, no browser: answers registration
// options with a 'none' attestation over a fresh ES256 (P-256) key, and request options with an
// assertion signed by that key, producing the JSON the browser would post
// (RegistrationResponseJSON / AuthenticationResponseJSON, every binary field base64url).
//
//   const reg = createCredential(start.optionsJSON, { origin, rpId, uv: true });
//   await webauthnStrategy.enroll.confirm(ctx, user, { factorId: start.factorId, response: JSON.stringify(reg) });
//   const assertion = getAssertion(reg, prompt.optionsJSON, { origin, rpId, uv: true, signCount: 1 });
//
// Unlike a browser it checks nothing (origin and RP ID are whatever the caller says) and it
// signs whatever it is asked to, so that tests can produce the responses a relying party must refuse.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

const COSE_ES256 = -7;

interface Held {
  privateKey: KeyObject;
  userHandle: string | undefined;
  backupEligible: boolean;
  backupState: boolean;
}

/** Private keys of the credentials created, by credential id (base64url). */
const held = new Map<string, Held>();

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function flagsByte(o: { up?: boolean; uv: boolean; backupEligible?: boolean; backupState?: boolean; attested?: boolean }): number {
  return (
    (o.up === false ? 0 : FLAG_UP) |
    (o.uv ? FLAG_UV : 0) |
    (o.backupEligible ? FLAG_BE : 0) |
    (o.backupState ? FLAG_BS : 0) |
    (o.attested ? FLAG_AT : 0)
  );
}

function clientDataJSON(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string, overrides: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false, ...overrides }), 'utf8');
}

/** The COSE_Key (RFC 9053) of a P-256 public key: kty EC2, alg ES256, crv P-256, x, y. */
function coseKey(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  if (!jwk.x || !jwk.y) throw new Error('not an EC public key');
  return isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, COSE_ES256], // alg
      [-1, 1], // crv: P-256
      [-2, new Uint8Array(Buffer.from(jwk.x, 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y, 'base64url'))],
    ]),
  );
}

export interface CreateCredentialOptions {
  origin: string;
  /** The RP ID whose hash goes into the authenticator data (a browser would use options.rp.id). */
  rpId: string;
  /** User verified (PIN or biometric): the UV flag. */
  uv: boolean;
  /** BE: the credential may be synced (a passkey provider). */
  backupEligible?: boolean;
  /** BS: the credential is backed up (synced). */
  backupState?: boolean;
  /** Initial signature counter; 0 by default. */
  signCount?: number;
  /** The credential id to use (base64url); random 32 bytes by default. */
  credentialId?: string;
  transports?: string[];
}

/** navigator.credentials.create() answered by a new ES256 credential, attestation 'none'. */
export function createCredential(optionsJSON: PublicKeyCredentialCreationOptionsJSON, o: CreateCredentialOptions): RegistrationResponseJSON {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const credentialId = o.credentialId ? Buffer.from(o.credentialId, 'base64url') : randomBytes(32);
  const cose = coseKey(publicKey);
  const credIdLength = Buffer.alloc(2);
  credIdLength.writeUInt16BE(credentialId.length);
  const authData = Buffer.concat([
    sha256(o.rpId),
    Buffer.from([flagsByte({ uv: o.uv, backupEligible: o.backupEligible, backupState: o.backupState, attested: true })]),
    uint32(o.signCount ?? 0),
    Buffer.alloc(16), // AAGUID: all zero (as 'none' attestation conveys)
    credIdLength,
    credentialId,
    cose,
  ]);
  const attestationObject = isoCBOR.encode(
    new Map<string, string | Uint8Array | Map<string, string>>([
      ['fmt', 'none'],
      ['attStmt', new Map<string, string>()],
      ['authData', new Uint8Array(authData)],
    ]),
  );
  const id = b64url(credentialId);
  const transports = o.transports ?? (o.backupEligible ? ['hybrid', 'internal'] : ['usb']);
  held.set(id, { privateKey, userHandle: optionsJSON.user.id, backupEligible: !!o.backupEligible, backupState: !!o.backupState });
  return {
    id,
    rawId: id,
    type: 'public-key',
    authenticatorAttachment: o.backupEligible ? 'platform' : 'cross-platform',
    response: {
      clientDataJSON: b64url(clientDataJSON('webauthn.create', optionsJSON.challenge, o.origin)),
      attestationObject: b64url(attestationObject),
      authenticatorData: b64url(authData),
      transports,
      publicKeyAlgorithm: COSE_ES256,
      publicKey: b64url(publicKey.export({ format: 'der', type: 'spki' })),
    },
    clientExtensionResults: {},
  };
}

export interface GetAssertionOptions {
  origin: string;
  /** The RP ID whose hash goes into the authenticator data (a browser would use options.rpId). */
  rpId: string;
  uv: boolean;
  /** The signature counter the authenticator reports. */
  signCount: number;
  /** UP: the user was present; true by default. */
  up?: boolean;
  /** BE/BS; by default those the credential was created with. */
  backupEligible?: boolean;
  backupState?: boolean;
  /** Test only: keys merged into clientDataJSON after type, challenge and origin. */
  clientData?: Record<string, unknown>;
  /** Test only: sign with an unrelated key instead of the credential's (a forgery). */
  forgeSignature?: boolean;
}

/** navigator.credentials.get() answered by `credential` (one that createCredential made). */
export function getAssertion(credential: { id: string }, optionsJSON: PublicKeyCredentialRequestOptionsJSON, o: GetAssertionOptions): AuthenticationResponseJSON {
  const own = held.get(credential.id);
  if (!own) throw new Error(`soft authenticator: no credential ${credential.id}`);
  const authData = Buffer.concat([
    sha256(o.rpId),
    Buffer.from([flagsByte({ up: o.up, uv: o.uv, backupEligible: o.backupEligible ?? own.backupEligible, backupState: o.backupState ?? own.backupState })]),
    uint32(o.signCount),
  ]);
  const clientData = clientDataJSON('webauthn.get', optionsJSON.challenge, o.origin, o.clientData);
  const key = o.forgeSignature ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey : own.privateKey;
  // ECDSA over authenticatorData || SHA-256(clientDataJSON); Node's default encoding is DER.
  const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), key);
  return {
    id: credential.id,
    rawId: credential.id,
    type: 'public-key',
    authenticatorAttachment: own.backupEligible ? 'platform' : 'cross-platform',
    response: {
      clientDataJSON: b64url(clientData),
      authenticatorData: b64url(authData),
      signature: b64url(signature),
      ...(own.userHandle ? { userHandle: own.userHandle } : {}),
    },
    clientExtensionResults: {},
  };
}
