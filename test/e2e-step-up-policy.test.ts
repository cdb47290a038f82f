// End to end: the step-up policy against a real server — decay of an achieved level (idle and
// max age on Keystep's movable clock), per-client policy (minimum_acr, mfa_required,
// acr_enforcement, default_acr_values), prompt=none / prompt=login, enrolment forced by a
// requested level, and a level no factor reaches.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTestKeystep, type TestKeystep } from './support/keystep.js';
import { Browser, expectLeft, expectPage, type Page } from './support/browser.js';
import { authorizationRequest, createTestUser, registerClient, signIn, submitLogin } from './support/oidc.js';
import { storeKinds } from './support/databases.js';
import { backupCodesFromPage, secretFromEnrolPage } from './support/mfa.js';
import {
  continueToClient,
  createTotpUser,
  expectCode,
  hasChallengeForm,
  hasLoginForm,
  nextTotpCode,
  submitCode,
  tokensFor,
  type TotpUser,
} from './support/step-up.js';
import { operations } from '../src/admin/operations.js';
import { totpCode } from '../src/factors/totp/totp-codes.js';

const API = 'https://api.example.test';
const MINUTE = 60;
const HOUR = 3600;

type RP = Awaited<ReturnType<typeof registerClient>>;

/** Password + TOTP on a fresh browser: the session is at aal2. Returns the browser and the ID token claims. */
async function signInAtAal2(ks: TestKeystep, rp: RP, u: TotpUser, params: Record<string, string> = {}) {
  const browser = new Browser(ks.issuer);
  const auth = await authorizationRequest(rp.config, params);
  const login = expectPage(await browser.navigate(auth.url.href));
  expect(hasLoginForm(login)).toBe(true);
  const challenge = expectPage(await submitLogin(browser, login, u.email, u.password));
  expect(hasChallengeForm(challenge)).toBe(true);
  const r = await submitCode(browser, challenge, await nextTotpCode(ks, u));
  const { id } = await tokensFor(rp.config, await continueToClient(browser, r), auth);
  expect(id).toMatchObject({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'] });
  return { browser, id };
}

/** Password only (the user's organisation asks for no second factor): the session is at aal1. */
async function signInAtAal1(ks: TestKeystep, rp: RP, creds: { email: string; password: string }) {
  const browser = new Browser(ks.issuer);
  const auth = await authorizationRequest(rp.config);
  const { id } = await tokensFor(rp.config, await signIn(browser, auth, creds), auth);
  expect(id).toMatchObject({ acr: 'aal1', amr: ['pwd'] });
  return { browser, id };
}

/** An authorization the session satisfies: the browser goes straight back to the client with a code. */
async function silently(browser: Browser, rp: RP, params: Record<string, string> = {}) {
  const auth = await authorizationRequest(rp.config, params);
  const r = await browser.navigate(auth.url.href);
  if (!('leftTo' in r)) throw new Error(`expected no interaction for ${JSON.stringify(params)}, got the page ${r.url}:\n${r.html.slice(0, 800)}`);
  return { auth, callback: expectCode(new URL(r.leftTo)) };
}

/** On the challenge page (and only there: no password form), proves TOTP; returns the callback. */
async function answerChallenge(ks: TestKeystep, browser: Browser, page: Page, u: TotpUser): Promise<URL> {
  expect(hasLoginForm(page)).toBe(false);
  expect(hasChallengeForm(page)).toBe(true);
  return continueToClient(browser, await submitCode(browser, page, await nextTotpCode(ks, u)));
}

describe.each(storeKinds)('step-up policy on %s', (kind) => {
  let ks: TestKeystep;
  let rp: RP;
  beforeAll(async () => {
    ks = await startTestKeystep({ env: { KEYSTEP_RESOURCES: API }, store: kind });
    rp = await registerClient(ks);
  });
  afterAll(async () => ks?.stop());

  test('an aal2 level lapses after 30 minutes idle: acr_values=aal2 then asks only for the second factor, and the result is step_up', async () => {
    const u = await createTotpUser(ks, 'optional');
    const { browser, id: first } = await signInAtAal2(ks, rp, u);
    expect(first.step_up).toBeUndefined();

    // Right away the session is good enough: no interaction, same login, no step_up.
    const fresh = await silently(browser, rp, { acr_values: 'aal2' });
    const { id: again } = await tokensFor(rp.config, fresh.callback, fresh.auth);
    expect(again).toMatchObject({ acr: 'aal2', auth_time: first.auth_time });
    expect(again.step_up).toBeUndefined();

    ks.advanceClock(31 * MINUTE);
    const auth = await authorizationRequest(rp.config, { acr_values: 'aal2', resource: API, scope: 'openid api:read' });
    const challenge = expectPage(await browser.navigate(auth.url.href));
    const { tokens, id } = await tokensFor(rp.config, await answerChallenge(ks, browser, challenge, u), auth, { resource: API });
    expect(id).toMatchObject({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'], step_up: true });
    expect(id.auth_time!).toBeGreaterThanOrEqual(first.auth_time! + 31 * MINUTE);
    const at = (await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${ks.issuer}/jwks`)), { issuer: ks.issuer, audience: API })).payload;
    expect(at).toMatchObject({ acr: 'aal2', step_up: true, auth_time: id.auth_time });
  });

  test('an aal2 level lapses 12 hours after it was reached even when the session was used all along', async () => {
    const u = await createTotpUser(ks, 'optional');
    const { browser, id: first } = await signInAtAal2(ks, rp, u);
    // Used every 29 minutes (never idle for 30): still aal2 after 11 h 36 min.
    for (let i = 0; i < 24; i++) {
      ks.advanceClock(29 * MINUTE);
      await silently(browser, rp, { acr_values: 'aal2' });
    }
    // 12 h 1 min after it was reached, 25 minutes after the last use: the level has lapsed.
    ks.advanceClock(12 * HOUR + MINUTE - 24 * 29 * MINUTE);
    const auth = await authorizationRequest(rp.config, { acr_values: 'aal2' });
    const challenge = expectPage(await browser.navigate(auth.url.href));
    const { id } = await tokensFor(rp.config, await answerChallenge(ks, browser, challenge, u), auth);
    expect(id).toMatchObject({ acr: 'aal2', step_up: true });
    expect(id.auth_time!).toBeGreaterThanOrEqual(first.auth_time! + 12 * HOUR + MINUTE);
  });

  test('after 12 h 1 min without any use, acr_values=aal2 asks only for the second factor', async () => {
    const u = await createTotpUser(ks, 'optional');
    const { browser } = await signInAtAal2(ks, rp, u);
    ks.advanceClock(12 * HOUR + MINUTE);
    const auth = await authorizationRequest(rp.config, { acr_values: 'aal2' });
    const challenge = expectPage(await browser.navigate(auth.url.href));
    const { id } = await tokensFor(rp.config, await answerChallenge(ks, browser, challenge, u), auth);
    expect(id).toMatchObject({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'], step_up: true });
  });

  test('after decay a request that names no acr is still silent (aal1 needs nothing)', async () => {
    const u = await createTotpUser(ks, 'optional');
    const { browser, id: first } = await signInAtAal2(ks, rp, u);
    ks.advanceClock(31 * MINUTE);
    const plain = await silently(browser, rp);
    const { id } = await tokensFor(rp.config, plain.callback, plain.auth);
    expect(id.auth_time).toBe(first.auth_time);
    expect(id.step_up).toBeUndefined();
  });

  test('an aal1 session on a client with minimum_acr aal2 is stepped up even without acr_values', async () => {
    const u = await createTotpUser(ks, 'off');
    const { browser } = await signInAtAal1(ks, rp, u);
    const strict = await registerClient(ks);
    expect(await ks.store.clients.updateMetadata(strict.clientId, { minimum_acr: 'aal2' })).toBeDefined();

    const auth = await authorizationRequest(strict.config);
    const challenge = expectPage(await browser.navigate(auth.url.href));
    const { id } = await tokensFor(strict.config, await answerChallenge(ks, browser, challenge, u), auth);
    expect(id).toMatchObject({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'], step_up: true });

    // The other client, which has no policy, is served by the raised session without asking anything.
    const other = await silently(browser, rp);
    expect((await tokensFor(rp.config, other.callback, other.auth)).id).toMatchObject({ acr: 'aal2', auth_time: id.auth_time });

    // And the strict client once more: the aal2 session is enough, no step_up on a repeat.
    const repeat = await silently(browser, strict);
    const { id: repeated } = await tokensFor(strict.config, repeat.callback, repeat.auth);
    expect(repeated).toMatchObject({ acr: 'aal2', auth_time: id.auth_time });
    expect(repeated.step_up).toBeUndefined();
  });

  test('minimum_acr aal2 on a decayed aal2 session asks for the second factor again', async () => {
    const u = await createTotpUser(ks, 'optional');
    const strict = await registerClient(ks);
    await ks.store.clients.updateMetadata(strict.clientId, { minimum_acr: 'aal2' });
    const { browser } = await signInAtAal2(ks, strict, u);
    const fresh = await silently(browser, strict);
    expect((await tokensFor(strict.config, fresh.callback, fresh.auth)).id.acr).toBe('aal2');

    ks.advanceClock(31 * MINUTE);
    const auth = await authorizationRequest(strict.config);
    const challenge = expectPage(await browser.navigate(auth.url.href));
    const { id } = await tokensFor(strict.config, await answerChallenge(ks, browser, challenge, u), auth);
    expect(id).toMatchObject({ acr: 'aal2', step_up: true });
  });
});

describe('step-up: decay is not undone by lower-level use', () => {
  let ks: TestKeystep;
  let rp: RP;
  beforeAll(async () => {
    ks = await startTestKeystep();
    rp = await registerClient(ks);
  });
  afterAll(async () => ks?.stop());

  test('an aal1 authorization after the idle timeout does not revive the lapsed aal2 level', async () => {
    const u = await createTotpUser(ks, 'optional');
    const { browser } = await signInAtAal2(ks, rp, u);
    ks.advanceClock(31 * MINUTE);
    await silently(browser, rp); // needs only aal1: allowed, but the session is not aal2 any more
    const auth = await authorizationRequest(rp.config, { acr_values: 'aal2' });
    const r = await browser.navigate(auth.url.href);
    expect('leftTo' in r ? `silently back to the client: ${r.leftTo}` : 'a page').toBe('a page');
    const { id } = await tokensFor(rp.config, await answerChallenge(ks, browser, expectPage(r), u), auth);
    expect(id).toMatchObject({ acr: 'aal2', step_up: true });
  });

  test('tokens issued from a decayed session state the level the session holds now, not the lapsed one', async () => {
    const u = await createTotpUser(ks, 'optional');
    const { browser, id: first } = await signInAtAal2(ks, rp, u);
    ks.advanceClock(12 * HOUR + MINUTE);
    const plain = await silently(browser, rp);
    const { id } = await tokensFor(rp.config, plain.callback, plain.auth);
    expect(id.auth_time).toBe(first.auth_time);
    expect(id.acr).toBe('aal1');
  });
});

describe('step-up: client policy, prompts, enrolment, unreachable levels', () => {
  let ks: TestKeystep;
  let rp: RP;
  beforeAll(async () => {
    ks = await startTestKeystep();
    rp = await registerClient(ks);
  });
  afterAll(async () => ks?.stop());

  const deps = () => ({ store: ks.store, sealer: ks.keystep.sealer, factors: ks.keystep.services.factors, levels: ks.keystep.services.acr });

  test('client.set-policy --mfa-required: an aal1 session is stepped up for that client', async () => {
    const u = await createTotpUser(ks, 'off');
    const { browser } = await signInAtAal1(ks, rp, u);
    const client = await registerClient(ks);
    expect(await operations['client.set-policy'].run(deps(), { clientId: client.clientId, mfaRequired: true })).toMatchObject({ mfa_required: true });

    const auth = await authorizationRequest(client.config);
    const challenge = expectPage(await browser.navigate(auth.url.href));
    const { id } = await tokensFor(client.config, await answerChallenge(ks, browser, challenge, u), auth);
    expect(id).toMatchObject({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'], step_up: true });
  });

  test('acr_enforcement lenient: acr_values=aal2 on an aal1 session is silent and says aal1; an essential acr is still enforced', async () => {
    const u = await createTotpUser(ks, 'off');
    const { browser, id: first } = await signInAtAal1(ks, rp, u);
    const client = await registerClient(ks);
    await operations['client.set-policy'].run(deps(), { clientId: client.clientId, acrEnforcement: 'lenient' });

    // Consent for the new client first (a page, but no authentication step).
    const consentAuth = await authorizationRequest(client.config);
    const consent = expectPage(await browser.navigate(consentAuth.url.href));
    expect(hasLoginForm(consent) || hasChallengeForm(consent)).toBe(false);
    await tokensFor(client.config, await continueToClient(browser, consent), consentAuth);

    const wish = await silently(browser, client, { acr_values: 'aal2' });
    const { id } = await tokensFor(client.config, wish.callback, wish.auth);
    expect(id).toMatchObject({ acr: 'aal1', auth_time: first.auth_time });
    expect(id.step_up).toBeUndefined();

    const essential = await authorizationRequest(client.config, { claims: JSON.stringify({ id_token: { acr: { essential: true, value: 'aal2' } } }) });
    const challenge = expectPage(await browser.navigate(essential.url.href));
    const { id: stepped } = await tokensFor(client.config, await answerChallenge(ks, browser, challenge, u), essential);
    expect(stepped).toMatchObject({ acr: 'aal2', step_up: true });
  });

  test('acr_enforcement lenient: an essential acr claim sent together with acr_values is still enforced', async () => {
    const u = await createTotpUser(ks, 'off');
    const { browser } = await signInAtAal1(ks, rp, u);
    const client = await registerClient(ks);
    await operations['client.set-policy'].run(deps(), { clientId: client.clientId, acrEnforcement: 'lenient' });
    const consentAuth = await authorizationRequest(client.config);
    await tokensFor(client.config, await continueToClient(browser, await browser.navigate(consentAuth.url.href)), consentAuth);

    const auth = await authorizationRequest(client.config, { acr_values: 'aal2', claims: JSON.stringify({ id_token: { acr: { essential: true, value: 'aal2' } } }) });
    const r = await browser.navigate(auth.url.href);
    expect('leftTo' in r ? `silently back to the client: ${r.leftTo}` : 'a page').toBe('a page');
    const { id } = await tokensFor(client.config, await answerChallenge(ks, browser, expectPage(r), u), auth);
    expect(id).toMatchObject({ acr: 'aal2', step_up: true });
  });

  test('acr_enforcement lenient keeps minimum_acr', async () => {
    const u = await createTotpUser(ks, 'off');
    const { browser } = await signInAtAal1(ks, rp, u);
    const client = await registerClient(ks);
    await operations['client.set-policy'].run(deps(), { clientId: client.clientId, acrEnforcement: 'lenient', minimumAcr: 'aal2' });
    const auth = await authorizationRequest(client.config, { acr_values: 'aal1' });
    const challenge = expectPage(await browser.navigate(auth.url.href));
    expect((await tokensFor(client.config, await answerChallenge(ks, browser, challenge, u), auth)).id).toMatchObject({ acr: 'aal2', step_up: true });
  });

  describe('default_acr_values aal2 applies only when the request names no acr', () => {
    let client: RP;
    let u: TotpUser;
    let browser: Browser;
    beforeAll(async () => {
      client = await registerClient(ks);
      await operations['client.set-policy'].run(deps(), { clientId: client.clientId, defaultAcr: 'aal2' });
      expect((await ks.store.clients.find(client.clientId))?.metadata.default_acr_values).toEqual(['aal2']);
    });
    beforeEach(async () => {
      u = await createTotpUser(ks, 'off');
      ({ browser } = await signInAtAal1(ks, rp, u));
      // Consent for the client up front, asking for aal1 explicitly (no authentication step).
      const auth = await authorizationRequest(client.config, { acr_values: 'aal1' });
      const r = await browser.navigate(auth.url.href);
      if (!('leftTo' in r)) expect(hasLoginForm(r) || hasChallengeForm(r)).toBe(false);
      await tokensFor(client.config, await continueToClient(browser, r), auth);
    });

    test('no acr in the request: the default steps the aal1 session up', async () => {
      const auth = await authorizationRequest(client.config);
      const challenge = expectPage(await browser.navigate(auth.url.href));
      expect((await tokensFor(client.config, await answerChallenge(ks, browser, challenge, u), auth)).id).toMatchObject({ acr: 'aal2', step_up: true });
    });

    test('acr_values=aal1: the default does not apply, silent at aal1', async () => {
      const auth = await silently(browser, client, { acr_values: 'aal1' });
      expect((await tokensFor(client.config, auth.callback, auth.auth)).id.acr).toBe('aal1');
    });

    test('an essential acr claim of aal1 (no acr_values): the default does not apply, silent at aal1', async () => {
      const auth = await silently(browser, client, { claims: JSON.stringify({ id_token: { acr: { essential: true, value: 'aal1' } } }) });
      expect((await tokensFor(client.config, auth.callback, auth.auth)).id.acr).toBe('aal1');
    });
  });

  test('default_acr_values aal2 with acr_enforcement lenient: the default still applies to a request that names no acr', async () => {
    const u = await createTotpUser(ks, 'off');
    const { browser } = await signInAtAal1(ks, rp, u);
    const client = await registerClient(ks);
    await operations['client.set-policy'].run(deps(), { clientId: client.clientId, defaultAcr: 'aal2', acrEnforcement: 'lenient' });
    // Consent first, with acr_values naming aal1 (so the default does not apply; no authentication step).
    const consentAuth = await authorizationRequest(client.config, { acr_values: 'aal1' });
    const consent = expectPage(await browser.navigate(consentAuth.url.href));
    expect(hasLoginForm(consent) || hasChallengeForm(consent)).toBe(false);
    expect((await tokensFor(client.config, await continueToClient(browser, consent), consentAuth)).id.acr).toBe('aal1');

    const auth = await authorizationRequest(client.config);
    const r = await browser.navigate(auth.url.href);
    expect('leftTo' in r ? `silently back to the client: ${r.leftTo}` : 'a page').toBe('a page');
    const { id } = await tokensFor(client.config, await answerChallenge(ks, browser, expectPage(r), u), auth);
    expect(id).toMatchObject({ acr: 'aal2', step_up: true });
  });

  test('prompt=none on a session below the requested level: login_required at the redirect, no code', async () => {
    const u = await createTotpUser(ks, 'off');
    const { browser } = await signInAtAal1(ks, rp, u);
    const auth = await authorizationRequest(rp.config, { prompt: 'none', acr_values: 'aal2' });
    const callback = new URL(expectLeft(await browser.navigate(auth.url.href)));
    expect(['login_required', 'interaction_required']).toContain(callback.searchParams.get('error'));
    expect(callback.searchParams.get('code')).toBeNull();
    expect(callback.searchParams.get('state')).toBe(auth.state);

    // The same through client policy: minimum_acr aal2 with prompt=none.
    const strict = await registerClient(ks);
    await ks.store.clients.updateMetadata(strict.clientId, { minimum_acr: 'aal2' });
    const auth2 = await authorizationRequest(strict.config, { prompt: 'none' });
    const callback2 = new URL(expectLeft(await browser.navigate(auth2.url.href)));
    expect(['login_required', 'interaction_required']).toContain(callback2.searchParams.get('error'));
    expect(callback2.searchParams.get('code')).toBeNull();

    // A decayed aal2 session with prompt=none and acr_values=aal2: the same.
    const v = await createTotpUser(ks, 'optional');
    const { browser: b2 } = await signInAtAal2(ks, rp, v);
    ks.advanceClock(31 * MINUTE);
    const auth3 = await authorizationRequest(rp.config, { prompt: 'none', acr_values: 'aal2' });
    const callback3 = new URL(expectLeft(await b2.navigate(auth3.url.href)));
    expect(['login_required', 'interaction_required']).toContain(callback3.searchParams.get('error'));
    expect(callback3.searchParams.get('code')).toBeNull();
  });

  test('prompt=login asks for the password again, even on an aal2 session', async () => {
    const u = await createTotpUser(ks, 'optional');
    const { browser, id: first } = await signInAtAal2(ks, rp, u);
    ks.advanceClock(5);
    const auth = await authorizationRequest(rp.config, { prompt: 'login', acr_values: 'aal2' });
    const login = expectPage(await browser.navigate(auth.url.href));
    expect(hasLoginForm(login)).toBe(true);
    expect(hasChallengeForm(login)).toBe(false);
    const challenge = expectPage(await submitLogin(browser, login, u.email, u.password));
    const { id } = await tokensFor(rp.config, await answerChallenge(ks, browser, challenge, u), auth);
    expect(id).toMatchObject({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'] });
    expect(id.auth_time!).toBeGreaterThan(first.auth_time!);
    expect(id.step_up).toBeUndefined(); // the level was not raised: it was aal2 already

    // A password-only user: prompt=login shows the password form, and a wrong password does not pass.
    const w = await createTestUser(ks, { mfa: 'off' });
    const { browser: b2, id: before } = await signInAtAal1(ks, rp, w);
    ks.advanceClock(5);
    const again = await authorizationRequest(rp.config, { prompt: 'login' });
    const page = expectPage(await b2.navigate(again.url.href));
    expect(hasLoginForm(page)).toBe(true);
    const wrong = expectPage(await submitLogin(b2, page, w.email, 'not the password'));
    expect(wrong.status).toBe(401);
    const { id: after } = await tokensFor(rp.config, new URL(expectLeft(await submitLogin(b2, wrong, w.email, w.password))), again);
    expect(after.acr).toBe('aal1');
    expect(after.auth_time!).toBeGreaterThan(before.auth_time!);
  });

  async function enrolThroughStepUp(browser: Browser, offer: Page) {
    // A level was asked for: enrolment is required, and cannot be skipped.
    expect(offer.doc.querySelector('form[action$="/mfa/skip"]')).toBeNull();
    const link = offer.doc.querySelector('a[href$="/mfa/enrol?kind=totp"]');
    expect(link).toBeTruthy();
    const enrol = await browser.page(new URL(link!.getAttribute('href')!, offer.url).href);
    expect(enrol.doc.querySelector('form[action$="/mfa/skip"]')).toBeNull();

    // Skipping by posting the form anyway is refused, and the sign-in does not finish.
    const csrf = enrol.doc.querySelector('form[action$="/mfa/enrol"] input[name="_csrf"]')?.getAttribute('value') ?? '';
    const skipUrl = new URL(enrol.doc.querySelector('form[action$="/mfa/enrol"]')!.getAttribute('action')!.replace(/\/enrol$/, '/skip'), enrol.url).href;
    const skipped = await browser.navigate(skipUrl, { method: 'POST', form: { _csrf: csrf } });
    expect('leftTo' in skipped ? `left to ${skipped.leftTo}` : skipped.status).toBe(400);

    const secret = secretFromEnrolPage(enrol);
    const codes = expectPage(await browser.submit(enrol, 'form[action$="/mfa/enrol"]', { code: await totpCode(secret, Math.floor(ks.now().getTime() / 1000)), name: 'Phone' }));
    expect(backupCodesFromPage(codes)).toHaveLength(10);
    return browser.submit(codes, 'form[action$="/mfa/continue"]');
  }

  test('no factor, organisation optional, acr_values=aal2 on an aal1 session: required TOTP enrolment, backup codes, then aal2 with step_up', async () => {
    const account = await createTestUser(ks, { mfa: 'optional' });
    const browser = new Browser(ks.issuer);
    // First sign-in: the optional offer can be skipped → aal1.
    const first = await authorizationRequest(rp.config);
    const offered = expectPage(await submitLogin(browser, expectPage(await browser.navigate(first.url.href)), account.email, account.password));
    expect(offered.doc.querySelector('form[action$="/mfa/skip"]')).toBeTruthy();
    const { id: id1 } = await tokensFor(rp.config, await continueToClient(browser, await browser.submit(offered, 'form[action$="/mfa/skip"]')), first);
    expect(id1).toMatchObject({ acr: 'aal1', amr: ['pwd'] });

    const auth = await authorizationRequest(rp.config, { acr_values: 'aal2' });
    const offer = expectPage(await browser.navigate(auth.url.href));
    expect(hasLoginForm(offer)).toBe(false); // the session's password stands
    const { id } = await tokensFor(rp.config, await continueToClient(browser, await enrolThroughStepUp(browser, offer)), auth);
    expect(id).toMatchObject({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'], step_up: true });
    expect(id.auth_time!).toBeGreaterThanOrEqual(id1.auth_time!);
  });

  test('no factor, organisation optional, acr_values=aal2 without a session: password, then required enrolment, then aal2', async () => {
    const account = await createTestUser(ks, { mfa: 'optional' });
    const browser = new Browser(ks.issuer);
    const auth = await authorizationRequest(rp.config, { acr_values: 'aal2' });
    const offer = expectPage(await submitLogin(browser, expectPage(await browser.navigate(auth.url.href)), account.email, account.password));
    const { id } = await tokensFor(rp.config, await continueToClient(browser, await enrolThroughStepUp(browser, offer)), auth);
    expect(id).toMatchObject({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'] });
  });

  test('acr_values=aal3 for a TOTP user: unmet_authentication_requirements, never a lower acr', async () => {
    // From an aal2 session (organisation optional: enrolment allowed, but nothing enrollable reaches AAL3).
    const u = await createTotpUser(ks, 'optional');
    const { browser } = await signInAtAal2(ks, rp, u);
    const auth = await authorizationRequest(rp.config, { acr_values: 'aal3' });
    const callback = new URL(expectLeft(await browser.navigate(auth.url.href)));
    expect(callback.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(callback.searchParams.get('code')).toBeNull();

    // Without a session: after the password, the same error.
    const fresh = new Browser(ks.issuer);
    const auth2 = await authorizationRequest(rp.config, { acr_values: 'aal3' });
    const login = expectPage(await fresh.navigate(auth2.url.href));
    const r = await submitLogin(fresh, login, u.email, u.password);
    const callback2 = new URL(expectLeft(r));
    expect(callback2.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(callback2.searchParams.get('code')).toBeNull();

    // An essential aal3 claim alone: refused as well.
    const auth3 = await authorizationRequest(rp.config, { claims: JSON.stringify({ id_token: { acr: { essential: true, value: 'aal3' } } }) });
    const callback3 = new URL(expectLeft(await browser.navigate(auth3.url.href)));
    expect(callback3.searchParams.get('error')).toBe('unmet_authentication_requirements');
  });

  test('an essential acr claim of aal3 sent with acr_values=aal2 is not weakened to aal2', async () => {
    const u = await createTotpUser(ks, 'optional');
    const { browser } = await signInAtAal2(ks, rp, u);
    const auth = await authorizationRequest(rp.config, { acr_values: 'aal2', claims: JSON.stringify({ id_token: { acr: { essential: true, value: 'aal3' } } }) });
    const callback = new URL(expectLeft(await browser.navigate(auth.url.href)));
    expect(callback.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(callback.searchParams.get('code')).toBeNull();
  });
});
