// The WebAuthn factor strategy (src/factors/webauthn/webauthn-strategy.ts) and passkey sign-in
// (src/account/passkey-sign-in.ts) against a fresh migrated PGlite store, with the responses a
// browser would post produced by a software authenticator (test/support/soft-authenticator.ts):
// registration, second-factor assertions, counters and clone flagging, passwordless sign-in.
import { randomBytes } from 'node:crypto';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { decodeAttestationObject, isoBase64URL, parseAuthenticatorData } from '@simplewebauthn/server/helpers';
import { loadSettings } from '../src/config.js';
import { createFactorContext } from '../src/factors/context.js';
import type { FactorContext } from '../src/factors/strategy.js';
import { webauthnStrategy } from '../src/factors/webauthn/webauthn-strategy.js';
import { passkeyOptions, passkeySignIn } from '../src/account/passkey-sign-in.js';
import { createOrganisation } from '../src/admin/organisations.js';
import { createUser } from '../src/account/users.js';
import type { MfaFactor, Store, User } from '../src/store/port.js';
import { openTestPGliteStore } from './support/databases.js';
import { createCredential, getAssertion, type CreateCredentialOptions, type GetAssertionOptions } from './support/soft-authenticator.js';

const ORIGIN = 'http://localhost:3000';
const RP_ID = 'localhost';
const here = { origin: ORIGIN, rpId: RP_ID };
const INVALID = { ok: false, reason: 'invalid' };
const CLONED = { ok: false, reason: 'cloned' };
const CLONE_EVENT = 'mfa.webauthn_clone_suspected';
const FACTS = { ip: '203.0.113.7', userAgent: 'soft-authenticator', clientId: null };

let store: Store;
let ctx: FactorContext;
let seq = 0;

beforeAll(async () => {
  store = await openTestPGliteStore();
  const settings = loadSettings({ KEYSTEP_ISSUER: 'http://localhost:3000' });
  ctx = createFactorContext(store, randomBytes(32), settings);
  await createOrganisation(store, { slug: 'webauthn-test' });
}, 60_000);

afterAll(async () => {
  await store?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const newChallenge = () => randomBytes(32).toString('base64url');

async function newUser(orgSlug = 'webauthn-test'): Promise<User> {
  seq += 1;
  return createUser(store, { email: `webauthn-${seq}@example.com`, orgSlug, name: `User ${seq}` });
}

async function startRegistration(user: User): Promise<{ factorId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
  const start = await webauthnStrategy.enroll.start(ctx, user, {});
  if (start.type !== 'webauthn') throw new Error(`expected a WebAuthn ceremony, got ${start.type}`);
  return { factorId: start.factorId, options: start.optionsJSON as PublicKeyCredentialCreationOptionsJSON };
}

const confirm = (user: User, factorId: string, response: unknown, name?: string) =>
  webauthnStrategy.enroll.confirm(ctx, user, { factorId, response: typeof response === 'string' ? response : JSON.stringify(response), name });

/** enroll.start → soft authenticator → enroll.confirm, which must succeed. */
async function register(user: User, o: Partial<CreateCredentialOptions> = {}) {
  const { factorId, options } = await startRegistration(user);
  const credential = createCredential(options, { ...here, uv: false, ...o });
  const outcome = await confirm(user, factorId, credential);
  if (!outcome.ok) throw new Error(`registration refused: ${outcome.reason}`);
  return { credential, factorId: outcome.factorId, outcome };
}

async function requestOptions(user: User): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const prompt = await webauthnStrategy.challenge(ctx, user);
  if (!prompt) throw new Error('webauthnStrategy.challenge gave no prompt');
  return prompt.optionsJSON as PublicKeyCredentialRequestOptionsJSON;
}

/** An assertion by `credential` answering a fresh second-factor challenge for `user`. */
async function assertionFor(user: User, credential: { id: string }, o: Partial<GetAssertionOptions> & { signCount: number }) {
  return getAssertion(credential, await requestOptions(user), { ...here, uv: false, ...o });
}

const verify = (user: User, assertion: unknown) => webauthnStrategy.verify(ctx, user, typeof assertion === 'string' ? assertion : JSON.stringify(assertion));
const signIn = (assertion: unknown) => passkeySignIn(ctx, typeof assertion === 'string' ? assertion : JSON.stringify(assertion), FACTS);

async function stored(credentialId: string): Promise<MfaFactor> {
  const factor = await store.mfaFactors.findByCredentialId(credentialId);
  if (!factor) throw new Error(`no stored credential ${credentialId}`);
  return factor;
}

const factorsOf = (user: User) => store.mfaFactors.listForUser(user.id, { includePending: true });

/** The credential public key (COSE) inside a registration response, decoded independently of src/. */
function cosePublicKeyOf(response: RegistrationResponseJSON): string {
  const attestation = decodeAttestationObject(isoBase64URL.toBuffer(response.response.attestationObject));
  const key = parseAuthenticatorData(attestation.get('authData')).credentialPublicKey;
  if (!key) throw new Error('no credential public key in the attestation');
  return Buffer.from(key).toString('base64url');
}

test('the relying party under test is localhost, answered from http://localhost:3000', () => {
  expect(ctx.webauthn).toMatchObject({ rpId: 'localhost', origins: ['http://localhost:3000'], challengeSeconds: 300 });
});

describe('registration', () => {
  test('enroll.start: options for this RP and user, algorithms pinned to ES256/EdDSA/RS256, attestation none; the challenge is recorded for the user', async () => {
    const user = await newUser();
    const { factorId, options } = await startRegistration(user);
    expect(options.rp).toEqual({ id: 'localhost', name: 'Keystep' });
    expect(options.user.name).toBe(user.email);
    expect(Buffer.from(options.user.id, 'base64url').toString('utf8')).toBe(user.id);
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-7, -8, -257]);
    expect(options.attestation).toBe('none');
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'preferred', userVerification: 'preferred' });
    expect(options.timeout).toBe(300_000);
    expect(options.excludeCredentials).toEqual([]);
    expect(factorId).toBe(options.challenge);
    expect(await store.webauthnChallenges.consume(options.challenge, 'authentication')).toBeUndefined();
    expect(await store.webauthnChallenges.consume(options.challenge, 'registration')).toEqual({ userId: user.id });
  });

  test('enroll.start excludes the credentials the user already holds', async () => {
    const user = await newUser();
    const { credential } = await register(user);
    const { options } = await startRegistration(user);
    expect(options.excludeCredentials).toEqual([{ id: credential.id, type: 'public-key', transports: ['usb'] }]);
  });

  test.each<[string, Partial<CreateCredentialOptions>, string[], boolean, 'singleDevice' | 'multiDevice', boolean, string]>([
    ['a security key, no user verification', { uv: false }, ['hwk'], true, 'singleDevice', false, 'Security key'],
    ['a security key with user verification', { uv: true }, ['hwk', 'user'], true, 'singleDevice', false, 'Security key'],
    ['a synced passkey (BE+BS) with user verification', { uv: true, backupEligible: true, backupState: true }, ['swk', 'user'], false, 'multiDevice', true, 'Passkey'],
    ['a backup-eligible credential not backed up yet (BE only)', { uv: false, backupEligible: true }, ['swk'], false, 'multiDevice', false, 'Passkey'],
  ])('%s: confirmed and stored, with its proof', async (_, authenticator, amr, hardware, deviceType, backedUp, name) => {
    const user = await newUser();
    const { factorId, options } = await startRegistration(user);
    const credential = createCredential(options, { ...here, signCount: 3, ...authenticator, uv: authenticator.uv ?? false });
    const outcome = await confirm(user, factorId, credential);
    expect(outcome).toEqual({ ok: true, factorId: expect.any(String), proof: { amr, phishingResistant: true, hardware } });

    const factor = await stored(credential.id);
    expect(outcome.ok && outcome.factorId).toBe(factor.id);
    expect(factor).toMatchObject({ userId: user.id, kind: 'webauthn', name, secretEncrypted: null });
    expect(factor.confirmedAt).toBeInstanceOf(Date);
    expect(factor.data).toEqual({
      credential_id: credential.id,
      attested: false,
      public_key: cosePublicKeyOf(credential),
      counter: 3,
      transports: credential.response.transports,
      aaguid: '00000000-0000-0000-0000-000000000000',
      device_type: deviceType,
      backed_up: backedUp,
    });
    expect(await webauthnStrategy.isEnrolled(ctx, user)).toBe(true);
  });

  test('the name given is kept (trimmed)', async () => {
    const user = await newUser();
    const { factorId, options } = await startRegistration(user);
    const credential = createCredential(options, { ...here, uv: true });
    expect((await confirm(user, factorId, credential, '  Blue key  ')).ok).toBe(true);
    expect((await stored(credential.id)).name).toBe('Blue key');
  });

  test('a challenge issued directly through the store is answerable while fresh (control for the expiry test)', async () => {
    const user = await newUser();
    const { options } = await startRegistration(user);
    const challenge = newChallenge();
    await store.webauthnChallenges.issue(challenge, { userId: user.id, purpose: 'registration', expiresInSeconds: 60 });
    const outcome = await confirm(user, challenge, createCredential({ ...options, challenge }, { ...here, uv: true }));
    expect(outcome.ok).toBe(true);
  });

  test("a 'none' attestation never makes a credential attested (no aal3), even with its AAGUID allow-listed", async () => {
    await createOrganisation(store, { slug: 'webauthn-allow-zero' });
    await store.organisations.setWebauthnPolicy('webauthn-allow-zero', { attestation: 'none', aaguids: ['00000000-0000-0000-0000-000000000000'] });
    const user = await newUser('webauthn-allow-zero');
    const { credential, outcome } = await register(user, { uv: true });
    expect(outcome).toEqual({ ok: true, factorId: expect.any(String), proof: { amr: ['hwk', 'user'], phishingResistant: true, hardware: true } });
    expect((await stored(credential.id)).data.attested).toBe(false);
    expect(await verify(user, await assertionFor(user, credential, { uv: true, signCount: 1 }))).toEqual({
      ok: true,
      factorId: outcome.ok ? outcome.factorId : '',
      proof: { amr: ['hwk', 'user'], phishingResistant: true, hardware: true },
    });
  });

  describe('enroll.confirm refuses, storing nothing', () => {
    test("a 'none' attestation where the organisation requires direct attestation", async () => {
      await createOrganisation(store, { slug: 'webauthn-direct' });
      await store.organisations.setWebauthnPolicy('webauthn-direct', { attestation: 'direct', aaguids: ['00000000-0000-0000-0000-000000000000'] });
      const user = await newUser('webauthn-direct');
      const { factorId, options } = await startRegistration(user);
      expect(options.attestation).toBe('direct');
      expect(await confirm(user, factorId, createCredential(options, { ...here, uv: true }))).toEqual(INVALID);
      expect(await factorsOf(user)).toEqual([]);
    });

    test.each(['https://evil.example', 'http://localhost:3001', 'https://localhost:3000'])('a response from another origin (%s)', async (origin) => {
      const user = await newUser();
      const { factorId, options } = await startRegistration(user);
      expect(await confirm(user, factorId, createCredential(options, { origin, rpId: RP_ID, uv: true }))).toEqual(INVALID);
      expect(await factorsOf(user)).toEqual([]);
    });

    test.each(['evil.example', 'localhost.evil.example'])('a credential scoped to another RP ID (%s)', async (rpId) => {
      const user = await newUser();
      const { factorId, options } = await startRegistration(user);
      expect(await confirm(user, factorId, createCredential(options, { origin: ORIGIN, rpId, uv: true }))).toEqual(INVALID);
      expect(await factorsOf(user)).toEqual([]);
    });

    test('an answer to a challenge Keystep never issued', async () => {
      const user = await newUser();
      const { options } = await startRegistration(user);
      const made = { ...options, challenge: newChallenge() };
      expect(await confirm(user, made.challenge, createCredential(made, { ...here, uv: true }))).toEqual(INVALID);
      expect(await factorsOf(user)).toEqual([]);
    });

    test('an answer to a made-up challenge submitted under an issued handle', async () => {
      const user = await newUser();
      const { factorId, options } = await startRegistration(user);
      expect(await confirm(user, factorId, createCredential({ ...options, challenge: newChallenge() }, { ...here, uv: true }))).toEqual(INVALID);
      expect(await factorsOf(user)).toEqual([]);
    });

    test("an answer to one of the user's registration challenges submitted under the handle of another", async () => {
      const user = await newUser();
      const first = await startRegistration(user);
      const second = await startRegistration(user);
      expect(await confirm(user, first.factorId, createCredential(second.options, { ...here, uv: true }))).toEqual(INVALID);
      expect(await factorsOf(user)).toEqual([]);
    });

    test('a replayed registration: the challenge is single use', async () => {
      const user = await newUser();
      const { factorId, options } = await startRegistration(user);
      const credential = createCredential(options, { ...here, uv: true });
      expect((await confirm(user, factorId, credential)).ok).toBe(true);
      expect(await confirm(user, factorId, credential)).toEqual(INVALID);
      expect(await factorsOf(user)).toHaveLength(1);
    });

    test('an expired challenge (expiry by the database clock)', async () => {
      const user = await newUser();
      const { options } = await startRegistration(user);
      const challenge = newChallenge();
      await store.webauthnChallenges.issue(challenge, { userId: user.id, purpose: 'registration', expiresInSeconds: 1 });
      await sleep(1_500);
      expect(await confirm(user, challenge, createCredential({ ...options, challenge }, { ...here, uv: true }))).toEqual(INVALID);
      expect(await factorsOf(user)).toEqual([]);
    });

    test("an answer to another user's registration challenge", async () => {
      const alice = await newUser();
      const bob = await newUser();
      const bobs = await startRegistration(bob);
      expect(await confirm(alice, bobs.factorId, createCredential(bobs.options, { ...here, uv: true }))).toEqual(INVALID);
      expect(await factorsOf(alice)).toEqual([]);
      expect(await factorsOf(bob)).toEqual([]);
    });

    test("an answer to another user's registration challenge under one's own handle", async () => {
      const alice = await newUser();
      const bob = await newUser();
      const alices = await startRegistration(alice);
      const bobs = await startRegistration(bob);
      expect(await confirm(alice, alices.factorId, createCredential(bobs.options, { ...here, uv: true }))).toEqual(INVALID);
      expect(await factorsOf(alice)).toEqual([]);
    });

    test('an answer to an authentication challenge', async () => {
      const user = await newUser();
      const { options } = await startRegistration(user);
      const { challenge } = await requestOptions(user);
      expect(await confirm(user, challenge, createCredential({ ...options, challenge }, { ...here, uv: true }))).toEqual(INVALID);
      expect(await factorsOf(user)).toEqual([]);
    });

    test.each(['', '{', 'null', '42', '"registration"', '[]', '{}', JSON.stringify({ id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: {} })])(
      'a malformed response %j, without throwing',
      async (response) => {
        const user = await newUser();
        const { factorId } = await startRegistration(user);
        await expect(confirm(user, factorId, response)).resolves.toEqual(INVALID);
        expect(await factorsOf(user)).toEqual([]);
      },
    );

    test("a credential id already registered (another user's): refused without throwing; the first registration is untouched", async () => {
      const alice = await newUser();
      const bob = await newUser();
      const { credential } = await register(alice, { signCount: 1 });
      const before = await stored(credential.id);
      const bobs = await startRegistration(bob);
      const clash = createCredential(bobs.options, { ...here, uv: true, credentialId: credential.id });
      await expect(confirm(bob, bobs.factorId, clash)).resolves.toEqual(INVALID);
      expect(await factorsOf(bob)).toEqual([]);
      expect(await stored(credential.id)).toEqual(before);
    });
  });
});

describe('authentication (second factor)', () => {
  test("challenge: options for this RP listing exactly the user's credentials, user verification preferred", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const key = await register(alice);
    const passkey = await register(alice, { uv: true, backupEligible: true, backupState: true });
    await register(bob);
    const options = await requestOptions(alice);
    expect(options.rpId).toBe('localhost');
    expect(options.userVerification).toBe('preferred');
    expect(options.timeout).toBe(300_000);
    expect(options.allowCredentials?.map((c) => c.id).sort()).toEqual([key.credential.id, passkey.credential.id].sort());
    expect(await store.webauthnChallenges.consume(options.challenge, 'authentication')).toEqual({ userId: alice.id });
  });

  test.each<[string, Partial<CreateCredentialOptions>, boolean, string[], boolean]>([
    ['a security key, no user verification', {}, false, ['hwk'], true],
    ['a security key with user verification', {}, true, ['hwk', 'user'], true],
    ['a synced passkey with user verification', { backupEligible: true, backupState: true }, true, ['swk', 'user'], false],
  ])('%s: verified with its proof, the stored counter advances', async (_, authenticator, uv, amr, hardware) => {
    const user = await newUser();
    const { credential, factorId } = await register(user, { ...authenticator, signCount: 3 });
    expect(await verify(user, await assertionFor(user, credential, { uv, signCount: 4 }))).toEqual({ ok: true, factorId, proof: { amr, phishingResistant: true, hardware } });
    const after = await stored(credential.id);
    expect(after.data.counter).toBe(4);
    expect(after.lastUsedAt).toBeInstanceOf(Date);
    expect((await verify(user, await assertionFor(user, credential, { uv, signCount: 9 }))).ok).toBe(true);
    expect((await stored(credential.id)).data.counter).toBe(9);
  });

  test('an authenticator without a counter (always 0) is accepted each time, never flagged', async () => {
    const user = await newUser();
    const { credential } = await register(user, { signCount: 0 });
    expect((await verify(user, await assertionFor(user, credential, { signCount: 0 }))).ok).toBe(true);
    expect((await verify(user, await assertionFor(user, credential, { signCount: 0 }))).ok).toBe(true);
    const factor = await stored(credential.id);
    expect(factor.data.counter).toBe(0);
    expect(factor.data.clone_suspected).toBeUndefined();
  });

  test('a replayed assertion is refused (single-use challenge), is not taken for a clone, and leaves the counter', async () => {
    const user = await newUser();
    const { credential } = await register(user, { signCount: 1 });
    const assertion = await assertionFor(user, credential, { signCount: 4 });
    expect((await verify(user, assertion)).ok).toBe(true);
    expect(await verify(user, assertion)).toEqual(INVALID);
    const factor = await stored(credential.id);
    expect(factor.data.counter).toBe(4);
    expect(factor.data.clone_suspected).toBeUndefined();
  });

  test.each<[string, Partial<GetAssertionOptions>]>([
    ['from another origin', { origin: 'https://evil.example' }],
    ['from another port of the same host', { origin: 'http://localhost:3001' }],
    ['for another RP ID', { rpId: 'evil.example' }],
  ])('an assertion %s is refused; the counter stays and the credential still works', async (_, wrong) => {
    const user = await newUser();
    const { credential } = await register(user, { signCount: 1 });
    expect(await verify(user, await assertionFor(user, credential, { signCount: 2, ...wrong }))).toEqual(INVALID);
    expect((await stored(credential.id)).data.counter).toBe(1);
    expect((await verify(user, await assertionFor(user, credential, { signCount: 3 }))).ok).toBe(true);
  });

  test('an assertion answering a challenge Keystep never issued is refused', async () => {
    const user = await newUser();
    const { credential } = await register(user, { signCount: 1 });
    const options = { ...(await requestOptions(user)), challenge: newChallenge() };
    expect(await verify(user, getAssertion(credential, options, { ...here, uv: true, signCount: 2 }))).toEqual(INVALID);
    expect((await stored(credential.id)).data.counter).toBe(1);
  });

  test('an assertion answering a registration challenge is refused', async () => {
    const user = await newUser();
    const { credential } = await register(user, { signCount: 1 });
    const { options } = await startRegistration(user);
    expect(await verify(user, getAssertion(credential, { challenge: options.challenge }, { ...here, uv: true, signCount: 2 }))).toEqual(INVALID);
  });

  test('an assertion answering an expired challenge is refused', async () => {
    const user = await newUser();
    const { credential } = await register(user, { signCount: 1 });
    const challenge = newChallenge();
    await store.webauthnChallenges.issue(challenge, { userId: user.id, purpose: 'authentication', expiresInSeconds: 1 });
    await sleep(1_500);
    expect(await verify(user, getAssertion(credential, { challenge }, { ...here, uv: true, signCount: 2 }))).toEqual(INVALID);
    expect((await stored(credential.id)).data.counter).toBe(1);
  });

  test("an assertion answering another user's challenge is refused", async () => {
    const alice = await newUser();
    const bob = await newUser();
    await register(alice);
    const { credential } = await register(bob, { signCount: 1 });
    const alicesChallenge = await requestOptions(alice);
    expect(await verify(bob, getAssertion(credential, alicesChallenge, { ...here, uv: true, signCount: 2 }))).toEqual(INVALID);
    expect((await stored(credential.id)).data.counter).toBe(1);
  });

  test("an assertion by another user's credential is refused", async () => {
    const alice = await newUser();
    const bob = await newUser();
    await register(alice);
    const { credential: bobs } = await register(bob, { signCount: 1 });
    expect(await verify(alice, await assertionFor(alice, bobs, { uv: true, signCount: 2 }))).toEqual(INVALID);
    expect(await verify(alice, await assertionFor(bob, bobs, { uv: true, signCount: 3 }))).toEqual(INVALID);
    const factor = await stored(bobs.id);
    expect(factor.userId).toBe(bob.id);
    expect(factor.data.counter).toBe(1);
    expect(factor.data.clone_suspected).toBeUndefined();
  });

  test('an assertion whose signature is not by the credential is refused', async () => {
    const user = await newUser();
    const { credential } = await register(user, { signCount: 1 });
    expect(await verify(user, await assertionFor(user, credential, { uv: true, signCount: 2, forgeSignature: true }))).toEqual(INVALID);
    expect((await stored(credential.id)).data.counter).toBe(1);
  });

  test('an assertion without user presence is refused', async () => {
    const user = await newUser();
    const { credential } = await register(user, { signCount: 1 });
    expect(await verify(user, await assertionFor(user, credential, { signCount: 2, up: false }))).toEqual(INVALID);
    expect((await stored(credential.id)).data.counter).toBe(1);
  });

  test.each([
    ['equal to', 5],
    ['below', 2],
    ['of 0 (after non-zero counts)', 0],
  ])('a signature counter %s (stored: 5): cloned, flagged, audited, and the credential refused from then on', async (_, replayed) => {
    const user = await newUser();
    const { credential, factorId } = await register(user, { signCount: 1 });
    expect((await verify(user, await assertionFor(user, credential, { signCount: 5 }))).ok).toBe(true);
    expect(await store.audit.list({ userId: user.id, event: CLONE_EVENT })).toEqual([]);

    expect(await verify(user, await assertionFor(user, credential, { signCount: replayed }))).toEqual(CLONED);
    const factor = await stored(credential.id);
    expect(factor.data.clone_suspected).toBe(true);
    expect(factor.data.counter).toBe(5);
    const events = await store.audit.list({ userId: user.id, event: CLONE_EVENT });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event: CLONE_EVENT, orgId: user.orgId, userId: user.id, factor: 'webauthn', details: { factor_id: factorId, credential_id: credential.id } });

    // A later, otherwise valid assertion (higher counter, user verified) is still refused.
    expect(await verify(user, await assertionFor(user, credential, { uv: true, signCount: 100 }))).toEqual(CLONED);
    expect(await signIn(getAssertion(credential, await passkeyOptions(ctx), { ...here, uv: true, signCount: 101 }))).toEqual(CLONED);
    expect((await stored(credential.id)).data.counter).toBe(5);
    expect(await webauthnStrategy.isEnrolled(ctx, user)).toBe(false);
  });

  test('malformed responses are refused without throwing', async () => {
    const user = await newUser();
    const { credential } = await register(user, { signCount: 1 });
    const malformed = [
      '',
      '{',
      'null',
      '42',
      '"assertion"',
      '[]',
      '{}',
      '{"id":5}',
      JSON.stringify({ id: credential.id, rawId: credential.id, type: 'public-key' }),
      JSON.stringify({ id: credential.id, rawId: credential.id, type: 'public-key', response: { clientDataJSON: 5 } }),
      JSON.stringify({ id: credential.id, rawId: credential.id, type: 'public-key', response: { clientDataJSON: '!!!', authenticatorData: '', signature: '' } }),
    ];
    for (const response of malformed) {
      await expect(verify(user, response)).resolves.toEqual(INVALID);
    }
    const factor = await stored(credential.id);
    expect(factor.data.counter).toBe(1);
    expect(factor.data.clone_suspected).toBeUndefined();
  });
});

// A clone flag disables a credential for good, so only an assertion whose signature verifies may
// raise it: otherwise anyone who knows a credential id (not a secret: it is listed in request
// options) can lock its owner out.
describe('only a verified signature can flag a clone', () => {
  test('second factor: a forged assertion with a lower counter is refused as invalid, and the credential keeps working', async () => {
    const user = await newUser();
    const { credential } = await register(user, { signCount: 1 });
    expect((await verify(user, await assertionFor(user, credential, { signCount: 5 }))).ok).toBe(true);
    expect(await verify(user, await assertionFor(user, credential, { signCount: 2, forgeSignature: true }))).toEqual(INVALID);
    expect((await stored(credential.id)).data.clone_suspected).toBeUndefined();
    expect(await store.audit.list({ userId: user.id, event: CLONE_EVENT })).toEqual([]);
    expect((await verify(user, await assertionFor(user, credential, { signCount: 6 }))).ok).toBe(true);
  });

  test('passkey sign-in (no session needed): a forged assertion with a lower counter is refused as invalid, and the passkey keeps working', async () => {
    const user = await newUser();
    const { credential } = await register(user, { uv: true, backupEligible: true, backupState: true, signCount: 5 });
    const forged = getAssertion(credential, await passkeyOptions(ctx), { ...here, uv: true, signCount: 1, forgeSignature: true });
    expect(await signIn(forged)).toEqual(INVALID);
    expect((await stored(credential.id)).data.clone_suspected).toBeUndefined();
    expect(await store.audit.list({ userId: user.id, event: CLONE_EVENT })).toEqual([]);
    expect((await signIn(getAssertion(credential, await passkeyOptions(ctx), { ...here, uv: true, signCount: 6 }))).ok).toBe(true);
  });

  test.each<[string, Record<string, unknown> | 'not-json']>([
    ['clientData type "counter"', { type: 'counter' }],
    ['clientData challenge "counter"', { challenge: 'counter' }],
    ['clientData origin "https://counter.example"', { origin: 'https://counter.example' }],
    ['clientDataJSON that is not JSON ("counter")', 'not-json'],
  ])('passkey sign-in: a forged assertion with %s (echoed into the library error text) is refused as invalid, not flagged', async (_, tamper) => {
    const user = await newUser();
    const { credential } = await register(user, { uv: true, backupEligible: true, backupState: true, signCount: 5 });
    const options = await passkeyOptions(ctx);
    const forged = getAssertion(credential, options, { ...here, uv: true, signCount: 6, forgeSignature: true, ...(tamper === 'not-json' ? {} : { clientData: tamper }) });
    if (tamper === 'not-json') forged.response.clientDataJSON = Buffer.from('counter').toString('base64url');
    expect(await signIn(forged)).toEqual(INVALID);
    expect((await stored(credential.id)).data.clone_suspected).toBeUndefined();
    expect(await store.audit.list({ userId: user.id, event: CLONE_EVENT })).toEqual([]);
    expect((await signIn(getAssertion(credential, await passkeyOptions(ctx), { ...here, uv: true, signCount: 7 }))).ok).toBe(true);
  });
});

describe('passkey sign-in', () => {
  test('passkeyOptions: for this RP, no user (discoverable credentials), user verification required; the challenge belongs to nobody', async () => {
    const options = await passkeyOptions(ctx);
    expect(options.rpId).toBe('localhost');
    expect(options.userVerification).toBe('required');
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(await store.webauthnChallenges.consume(options.challenge, 'authentication')).toEqual({ userId: null });
  });

  test.each<[string, Partial<CreateCredentialOptions>, string[], boolean]>([
    ['a synced passkey', { backupEligible: true, backupState: true }, ['swk', 'user'], false],
    ['a discoverable security key', {}, ['hwk', 'user'], true],
  ])('%s with user verification signs the user in: proof with "user", counter advanced, audited', async (_, authenticator, amr, hardware) => {
    const user = await newUser();
    const { credential } = await register(user, { uv: true, signCount: 2, ...authenticator });
    const outcome = await signIn(getAssertion(credential, await passkeyOptions(ctx), { ...here, uv: true, signCount: 3 }));
    expect(outcome).toEqual({ ok: true, user: expect.objectContaining({ id: user.id, email: user.email }), proof: { amr, phishingResistant: true, hardware } });
    expect(outcome.ok && outcome.proof.amr).toContain('user');
    expect((await stored(credential.id)).data.counter).toBe(3);
    expect((await store.users.findById(user.id))?.lastMfaAt).toBeInstanceOf(Date);
    const [event] = await store.audit.list({ userId: user.id, event: 'user.login_succeeded' });
    expect(event).toMatchObject({ factor: 'webauthn', ip: FACTS.ip, details: { method: 'passkey' } });
  });

  test('without user verification: refused (UV required), counter unchanged, audited as a failure', async () => {
    const user = await newUser();
    const { credential } = await register(user, { uv: true, backupEligible: true, backupState: true, signCount: 2 });
    expect(await signIn(getAssertion(credential, await passkeyOptions(ctx), { ...here, uv: false, signCount: 3 }))).toEqual(INVALID);
    const factor = await stored(credential.id);
    expect(factor.data.counter).toBe(2);
    expect(factor.data.clone_suspected).toBeUndefined();
    expect(await store.audit.list({ userId: user.id, event: 'user.login_succeeded' })).toEqual([]);
    const [event] = await store.audit.list({ userId: user.id, event: 'user.login_failed' });
    expect(event).toMatchObject({ factor: 'webauthn', details: { method: 'passkey', reason: 'invalid' } });
  });

  test('a user-verified second-factor challenge of the same user also works; one of another user does not', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const { credential } = await register(alice, { uv: true, signCount: 1 });
    await register(bob);
    expect(await signIn(getAssertion(credential, await requestOptions(bob), { ...here, uv: true, signCount: 2 }))).toEqual(INVALID);
    expect((await signIn(getAssertion(credential, await requestOptions(alice), { ...here, uv: true, signCount: 3 }))).ok).toBe(true);
  });

  test('a replayed passkey assertion is refused', async () => {
    const user = await newUser();
    const { credential } = await register(user, { uv: true, signCount: 1 });
    const assertion = getAssertion(credential, await passkeyOptions(ctx), { ...here, uv: true, signCount: 2 });
    expect((await signIn(assertion)).ok).toBe(true);
    expect(await signIn(assertion)).toEqual(INVALID);
  });

  test('a credential Keystep does not know is refused', async () => {
    const user = await newUser();
    const { options } = await startRegistration(user);
    const unregistered = createCredential(options, { ...here, uv: true });
    expect(await signIn(getAssertion(unregistered, await passkeyOptions(ctx), { ...here, uv: true, signCount: 1 }))).toEqual(INVALID);
  });

  test('malformed responses are refused without throwing', async () => {
    for (const response of ['', '{', 'null', '42', '"passkey"', '[]', '{}', '{"id":5}', JSON.stringify({ id: 'AAAA', rawId: 'AAAA', type: 'public-key' })]) {
      await expect(signIn(response)).resolves.toEqual(INVALID);
    }
  });
});
