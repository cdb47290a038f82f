// End to end, without a browser: the organisation's WebAuthn attestation policy and aal3. A real
// Keystep loads FIDO metadata (KEYSTEP_FIDO_METADATA_FILE, an MDS3 payload written here) that
// names a test attestation CA as the root for some AAGUIDs; the scripted Browser walks the real
// pages (enrolment, second-factor challenge, passkey login form) and answers their WebAuthn
// options with the software authenticator, whose registrations test/support/soft-attestation.ts
// turns into 'packed' attestations with an x5c chain (or a self attestation, or a chain from a CA
// the metadata does not name). An openid-client RP reads acr/amr from the ID tokens.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { startTestKeystep, type TestKeystep } from './support/keystep.js';
import { Browser, expectLeft, expectPage, type Page } from './support/browser.js';
import { authorizationRequest, createTestUser, registerClient, submitLogin, type StartedAuthorization } from './support/oidc.js';
import { continueToClient, hasLoginForm, tokensFor } from './support/step-up.js';
import { createCredential, getAssertion } from './support/soft-authenticator.js';
import {
  attest,
  createAttestationCa,
  issueAttestationCertificate,
  metadataPayload,
  metadataStatement,
  selfAttest,
  type Certificate,
} from './support/soft-attestation.js';
import { createOrganisation } from '../src/admin/organisations.js';
import { runOperation } from '../src/admin/operations.js';

/** Described by the metadata (root: the test CA) and on the 'direct' organisation's allow-list. */
const LISTED = '4b657973-7465-7000-8000-000000000001';
/** Described by the metadata (root: the test CA), on no allow-list but OTHER_DIRECT_ORG's. */
const UNLISTED = '4b657973-7465-7000-8000-000000000002';
/** On the allow-list, but no metadata statement describes it. */
const UNDESCRIBED = '4b657973-7465-7000-8000-000000000003';
/** Described by a statement whose AAGUID is written in upper case (as the unit tests load it), allow-listed. */
const UPPER = '4b657973-7465-7000-8000-0000000000ab';
const ZERO_AAGUID = '00000000-0000-0000-0000-000000000000';

const NONE_ORG = 'attest-none';
const DIRECT_ORG = 'attest-direct';
const OTHER_DIRECT_ORG = 'attest-direct-other';

const REFUSED = 'The security key or passkey could not be registered';

type Rp = Awaited<ReturnType<typeof registerClient>>;
type Account = Awaited<ReturnType<typeof createTestUser>>;
type Flow = { browser: Browser; auth: StartedAuthorization };
/** Answers registration options: what the authenticator (and client) post back. */
type Authenticator = (options: PublicKeyCredentialCreationOptionsJSON) => RegistrationResponseJSON;

let ks: TestKeystep;
let rp: Rp;
let here: { origin: string; rpId: string };
let ca: Certificate;
let rogueCa: Certificate;
const leaves: Record<string, Certificate> = {};

/** The WebAuthn options a page's form carries (data-options, JSON). */
function optionsOf<T>(page: Page, selector: string): T {
  const raw = page.doc.querySelector(selector)?.getAttribute('data-options');
  if (!raw) throw new Error(`no ${selector} with data-options on ${page.url} (${page.status}):\n${page.html.slice(0, 1500)}`);
  return JSON.parse(raw) as T;
}

const REGISTER = 'form[data-webauthn="register"]';
const AUTHENTICATE = 'form[data-webauthn="authenticate"]';
const PASSKEY = 'form#passkey-form';

/** Signature counters, increasing per credential as a real authenticator's do. */
const counters = new Map<string, number>();
function nextCount(credentialId: string): number {
  const n = (counters.get(credentialId) ?? 0) + 1;
  counters.set(credentialId, n);
  return n;
}

// Authenticators: the soft authenticator's 'none' registration, or that registration attested.
const noneKey =
  (o: { uv: boolean }): Authenticator =>
  (options) =>
    createCredential(options, { ...here, uv: o.uv });
const packedKey =
  (aaguid: string, leaf: () => Certificate, o: { uv: boolean; synced?: boolean }): Authenticator =>
  (options) =>
    attest(createCredential(options, { ...here, uv: o.uv, ...(o.synced ? { backupEligible: true, backupState: true } : {}) }), {
      aaguid,
      x5c: [leaf().der],
      key: leaf().key,
    });

/** A new browser at the login page of a new authorization; the password submitted. */
async function passwordStep(account: Account, params: Record<string, string> = {}): Promise<Flow & { next: Page | { leftTo: string } }> {
  const browser = new Browser(ks.issuer);
  const auth = await authorizationRequest(rp.config, params);
  const login = expectPage(await browser.navigate(auth.url.href));
  return { browser, auth, next: await submitLogin(browser, login, account.email, account.password) };
}

/** From the offer page: the WebAuthn enrolment page (kind=webauthn). */
async function webauthnEnrolPage(browser: Browser, offer: Page): Promise<Page> {
  const link = offer.doc.querySelector('a[href$="/mfa/enrol?kind=webauthn"]');
  if (!link) throw new Error(`no WebAuthn enrolment link on ${offer.url}:\n${offer.html.slice(0, 1500)}`);
  return browser.page(new URL(link.getAttribute('href')!, offer.url).href);
}

/** Answers the enrolment page's options with `authenticator`; posts the RegistrationResponseJSON. */
async function register(browser: Browser, enrol: Page, authenticator: Authenticator) {
  const credential = authenticator(optionsOf<PublicKeyCredentialCreationOptionsJSON>(enrol, REGISTER));
  const r = await browser.submit(enrol, REGISTER, { code: JSON.stringify(credential), name: 'Soft key' });
  return { credential, r };
}

/**
 * A user of `org` signs in with the password and tries to register each authenticator in turn
 * on the enrolment page (a refusal shows the page again, with new options) until one is
 * accepted. Returns the HTTP status of each attempt, the accepted credential and the login.
 */
async function enrol(org: string, authenticators: Authenticator[]) {
  const account = await createTestUser(ks, { org });
  const { browser, auth, next } = await passwordStep(account);
  let page = await webauthnEnrolPage(browser, expectPage(next));
  const attestation = optionsOf<PublicKeyCredentialCreationOptionsJSON>(page, REGISTER).attestation;
  const statuses: number[] = [];
  for (const authenticator of authenticators) {
    const { credential, r } = await register(browser, page, authenticator);
    page = expectPage(r);
    statuses.push(page.status);
    if (page.status !== 200) {
      expect(page.html).toContain(REFUSED);
      continue;
    }
    // The first factor: backup codes are shown, then the login completes.
    expect(page.doc.querySelectorAll('#backup-codes code')).toHaveLength(10);
    const { id } = await tokensFor(rp.config, await continueToClient(browser, await browser.submit(page, 'form[action$="/mfa/continue"]')), auth);
    return { account, attestation, statuses, credential, enrolmentId: id, factors: await factorsOf(account) };
  }
  return { account, attestation, statuses, credential: undefined, enrolmentId: undefined, factors: await factorsOf(account) };
}

/** The user's WebAuthn factors (pending ones too), with the credential data Keystep stored. */
async function factorsOf(account: Account) {
  return (await ks.store.mfaFactors.listForUser(account.user.id, { includePending: true })).filter((f) => f.kind === 'webauthn');
}

/** Answers a challenge page with an assertion by `credential`; posts it to /mfa/verify. */
function answerChallenge(browser: Browser, page: Page, credential: { id: string }, uv: boolean) {
  expect(hasLoginForm(page)).toBe(false);
  const assertion = getAssertion(credential, optionsOf<PublicKeyCredentialRequestOptionsJSON>(page, AUTHENTICATE), { ...here, uv, signCount: nextCount(credential.id) });
  return browser.submit(page, AUTHENTICATE, { code: JSON.stringify(assertion), trust_device: '' });
}

/** Password, then the key (second factor) on the challenge page; the ID token's claims. */
async function signInWithKey(account: Account, credential: { id: string }, uv: boolean, params: Record<string, string> = {}) {
  const { browser, auth, next } = await passwordStep(account, params);
  const challenge = expectPage(next);
  expect(challenge.doc.querySelector(`${AUTHENTICATE} input[name=factor]`)?.getAttribute('value')).toBe('webauthn');
  // No level that needs it was asked for: user verification is the authenticator's choice.
  expect(optionsOf<PublicKeyCredentialRequestOptionsJSON>(challenge, AUTHENTICATE).userVerification).toBe('preferred');
  const { id } = await tokensFor(rp.config, await continueToClient(browser, await answerChallenge(browser, challenge, credential, uv)), auth);
  return { browser, id };
}

/** The authorization must end at the client with an error (and no code). */
function expectError(r: Page | { leftTo: string }, error: string) {
  const callback = new URL(expectLeft(r));
  expect(callback.searchParams.get('error')).toBe(error);
  expect(callback.searchParams.get('code')).toBeNull();
}

beforeAll(async () => {
  ca = await createAttestationCa('Keystep Test Attestation Root');
  rogueCa = await createAttestationCa('Rogue Attestation Root');
  leaves.listed = await issueAttestationCertificate(ca, { aaguid: LISTED });
  leaves.unlisted = await issueAttestationCertificate(ca, { aaguid: UNLISTED });
  leaves.undescribed = await issueAttestationCertificate(ca, { aaguid: UNDESCRIBED });
  leaves.rogueListed = await issueAttestationCertificate(rogueCa, { aaguid: LISTED });
  leaves.rogueUpper = await issueAttestationCertificate(rogueCa, { aaguid: UPPER });

  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'keystep-fido-mds-')), 'mds.json');
  writeFileSync(
    file,
    JSON.stringify(
      metadataPayload([
        metadataStatement({ aaguid: LISTED, roots: [ca] }),
        metadataStatement({ aaguid: UNLISTED, roots: [ca] }),
        metadataStatement({ aaguid: UPPER.toUpperCase(), roots: [ca] }),
      ]),
    ),
  );
  ks = await startTestKeystep({ env: { KEYSTEP_FIDO_METADATA_FILE: file } });
  rp = await registerClient(ks);
  here = { origin: ks.issuer, rpId: 'localhost' };

  for (const slug of [NONE_ORG, DIRECT_ORG, OTHER_DIRECT_ORG]) await createOrganisation(ks.store, { slug, mfaMode: 'optional' });
  const deps = { store: ks.store, sealer: ks.keystep.sealer, factors: ks.keystep.services.factors, levels: ks.keystep.services.acr };
  const set = (await runOperation(deps, 'org.set-webauthn', { slug: DIRECT_ORG, attestation: 'direct', aaguids: [LISTED.toUpperCase(), UNDESCRIBED, UPPER] })) as { webauthn_policy: unknown };
  expect(set.webauthn_policy).toMatchObject({ attestation: 'direct', aaguids: [LISTED, UNDESCRIBED, UPPER] });
  expect((await ks.store.organisations.setWebauthnPolicy(OTHER_DIRECT_ORG, { attestation: 'direct', aaguids: [UNLISTED] }))?.webauthnPolicy).toMatchObject({ attestation: 'direct', aaguids: [UNLISTED] });
}, 60_000);

afterAll(async () => ks?.stop());

describe("organisation policy 'none' (the default)", () => {
  test("a 'none' key registers; password + that key with UV is phrh, never aal3; acr_values=aal3 is unmet", async () => {
    const e = await enrol(NONE_ORG, [noneKey({ uv: true })]);
    expect(e.attestation).toBe('none');
    expect(e.statuses).toEqual([200]);
    expect(e.factors.map((f) => f.data)).toEqual([expect.objectContaining({ attested: false, aaguid: ZERO_AAGUID, device_type: 'singleDevice' })]);
    expect(e.enrolmentId).toMatchObject({ acr: 'phrh', amr: ['pwd', 'hwk', 'user', 'mfa'] });

    const { browser, id } = await signInWithKey(e.account, e.credential!, true);
    expect(id).toMatchObject({ acr: 'phrh', amr: ['pwd', 'hwk', 'user', 'mfa'] });

    // Stepping that session up to aal3: no factor of this organisation reaches it.
    const auth = await authorizationRequest(rp.config, { acr_values: 'aal3' });
    expectError(await browser.navigate(auth.url.href), 'unmet_authentication_requirements');
    // Nor from a fresh sign-in: right after the password.
    const fresh = await passwordStep(e.account, { acr_values: 'aal3' });
    expectError(fresh.next, 'unmet_authentication_requirements');
  });

  test('a key that does present a packed attestation chained to the metadata is still not attested (the organisation asked for none)', async () => {
    const e = await enrol(NONE_ORG, [packedKey(LISTED, () => leaves.listed!, { uv: true })]);
    expect(e.statuses).toEqual([200]);
    expect(e.factors.map((f) => f.data)).toEqual([expect.objectContaining({ attested: false, aaguid: LISTED })]);
    const { id } = await signInWithKey(e.account, e.credential!, true);
    expect(id).toMatchObject({ acr: 'phrh', amr: ['pwd', 'hwk', 'user', 'mfa'] });
  });
});

describe("organisation policy 'direct' with the AAGUID allow-listed", () => {
  test("'none' is refused, packed+x5c chained to the metadata root registers; with UV aal3, without UV phrh; acr_values=aal3 steps phrh up to aal3", async () => {
    const e = await enrol(DIRECT_ORG, [noneKey({ uv: true }), packedKey(LISTED, () => leaves.listed!, { uv: true })]);
    expect(e.attestation).toBe('direct');
    expect(e.statuses).toEqual([401, 200]);
    // Only the attested key was stored (the refused one left nothing behind).
    expect(e.factors).toHaveLength(1);
    expect(e.factors[0]!.data).toMatchObject({ attested: true, aaguid: LISTED, device_type: 'singleDevice', credential_id: e.credential!.id });
    // The registration itself proved the attested key with UV.
    expect(e.enrolmentId).toMatchObject({ acr: 'aal3', amr: ['pwd', 'hwk', 'user', 'mfa'] });

    const withUv = await signInWithKey(e.account, e.credential!, true);
    expect(withUv.id).toMatchObject({ acr: 'aal3', amr: ['pwd', 'hwk', 'user', 'mfa'] });

    const withoutUv = await signInWithKey(e.account, e.credential!, false);
    expect(withoutUv.id).toMatchObject({ acr: 'phrh', amr: ['pwd', 'hwk', 'mfa'] });

    // acr_values=aal3 on the phrh session: only the key is asked for (the password is kept).
    const browser = withoutUv.browser;
    // Touched without UV, the key does not reach aal3: the client gets the error, not a lower acr.
    const noUv = await authorizationRequest(rp.config, { acr_values: 'aal3' });
    const challenge1 = expectPage(await browser.navigate(noUv.url.href));
    // An aal3 request asks the authenticator to verify the user, and offers only this user's key.
    const stepUpOptions = optionsOf<PublicKeyCredentialRequestOptionsJSON>(challenge1, AUTHENTICATE);
    expect(stepUpOptions.userVerification).toBe('required');
    expect(stepUpOptions.allowCredentials?.map((c) => c.id)).toEqual([e.credential!.id]);
    expectError(await answerChallenge(browser, challenge1, e.credential!, false), 'unmet_authentication_requirements');
    // With UV: aal3, a step-up of the same session.
    const auth = await authorizationRequest(rp.config, { acr_values: 'aal3' });
    const challenge = expectPage(await browser.navigate(auth.url.href));
    const { id } = await tokensFor(rp.config, await continueToClient(browser, await answerChallenge(browser, challenge, e.credential!, true)), auth);
    expect(id).toMatchObject({ acr: 'aal3', amr: ['pwd', 'hwk', 'user', 'mfa'], step_up: true });
    // The session now holds aal3: a further acr_values=aal3 needs no interaction.
    const again = await authorizationRequest(rp.config, { acr_values: 'aal3' });
    const { id: silent } = await tokensFor(rp.config, new URL(expectLeft(await browser.navigate(again.url.href))), again);
    expect(silent).toMatchObject({ acr: 'aal3', auth_time: id.auth_time });
  });

  test('a chain to a CA the metadata does not name, or a certificate for another model, is refused', async () => {
    const e = await enrol(DIRECT_ORG, [
      packedKey(LISTED, () => leaves.rogueListed!, { uv: true }),
      // The certificate of another model (its AAGUID extension says UNLISTED) presented for LISTED.
      packedKey(LISTED, () => leaves.unlisted!, { uv: true }),
      // Control: the same authenticator with the right certificate registers.
      packedKey(LISTED, () => leaves.listed!, { uv: true }),
    ]);
    expect(e.statuses).toEqual([401, 401, 200]);
    expect(e.factors).toHaveLength(1);
  });

  test("a passkey that is attested and allow-listed, used passwordless with UV, reaches aal3 too [hwk, user, mfa]; a synced one does not", async () => {
    const bound = await enrol(DIRECT_ORG, [packedKey(LISTED, () => leaves.listed!, { uv: true })]);
    const synced = await enrol(DIRECT_ORG, [packedKey(LISTED, () => leaves.listed!, { uv: true, synced: true })]);
    expect(synced.factors.map((f) => f.data)).toEqual([expect.objectContaining({ attested: true, device_type: 'multiDevice' })]);

    const passwordless = async (credential: { id: string }) => {
      const browser = new Browser(ks.issuer);
      const auth = await authorizationRequest(rp.config);
      const login = expectPage(await browser.navigate(auth.url.href));
      const options = optionsOf<PublicKeyCredentialRequestOptionsJSON>(login, PASSKEY);
      expect(options.userVerification).toBe('required');
      const assertion = getAssertion(credential, options, { ...here, uv: true, signCount: nextCount(credential.id) });
      return (await tokensFor(rp.config, await continueToClient(browser, await browser.submit(login, PASSKEY, { code: JSON.stringify(assertion) })), auth)).id;
    };
    const id = await passwordless(bound.credential!);
    expect(id).toMatchObject({ acr: 'aal3', amr: ['hwk', 'user', 'mfa'], sub: bound.account.user.id });
    // A synced passkey is not device-bound: phishing-resistant, but neither phrh nor aal3.
    expect(await passwordless(synced.credential!)).toMatchObject({ acr: 'phr', amr: ['swk', 'user', 'mfa'], sub: synced.account.user.id });
  });
});

describe("organisation policy 'direct', AAGUID not acceptable", () => {
  test('an AAGUID the metadata describes but the allow-list does not name is refused (and accepted where it is named)', async () => {
    const refused = await enrol(DIRECT_ORG, [packedKey(UNLISTED, () => leaves.unlisted!, { uv: true })]);
    expect(refused.statuses).toEqual([401]);
    expect(refused.factors).toEqual([]);

    const control = await enrol(OTHER_DIRECT_ORG, [packedKey(UNLISTED, () => leaves.unlisted!, { uv: true })]);
    expect(control.statuses).toEqual([200]);
    expect(control.factors.map((f) => f.data)).toEqual([expect.objectContaining({ attested: true, aaguid: UNLISTED })]);
  });

  test('an allow-listed AAGUID no metadata statement describes is refused', async () => {
    const e = await enrol(DIRECT_ORG, [packedKey(UNDESCRIBED, () => leaves.undescribed!, { uv: true })]);
    expect(e.statuses).toEqual([401]);
    expect(e.factors).toEqual([]);

    // Control: the attestation itself verifies (an organisation asking for none takes it, unattested).
    const control = await enrol(NONE_ORG, [packedKey(UNDESCRIBED, () => leaves.undescribed!, { uv: true })]);
    expect(control.statuses).toEqual([200]);
    expect(control.factors.map((f) => f.data)).toEqual([expect.objectContaining({ attested: false, aaguid: UNDESCRIBED })]);
  });
});

describe('attestations that prove nothing about the model are refused', () => {
  test("a 'packed' self attestation (no x5c, signed by the credential key) for an allow-listed AAGUID", async () => {
    const e = await enrol(DIRECT_ORG, [(options) => selfAttest(createCredential(options, { ...here, uv: true }), { aaguid: LISTED })]);
    expect(e.factors.map((f) => f.data)).toEqual([]);
    expect(e.statuses).toEqual([401]);
  });

  test('a chain to a rogue CA for an allow-listed AAGUID whose metadata statement writes it in upper case', async () => {
    const e = await enrol(DIRECT_ORG, [packedKey(UPPER, () => leaves.rogueUpper!, { uv: true })]);
    expect(e.factors.map((f) => f.data)).toEqual([]);
    expect(e.statuses).toEqual([401]);
  });
});
