// End to end: remembered (trusted) devices and adaptive MFA from risk signals.
import { decodeJwt } from 'jose';
import { startTestKeystep, type TestKeystep } from './support/keystep.js';
import { Browser, expectLeft, expectPage, type Page } from './support/browser.js';
import { authorizationRequest, createTestUser, exchangeCode, registerClient, submitLogin } from './support/oidc.js';
import { codeAt } from './support/mfa.js';
import { createTotpUser } from './support/step-up.js';
import { runOperation } from '../src/admin/operations.js';

const LONDON = '81.2.69.142';
const AMSTERDAM = '91.198.174.192';
const TOKYO = '133.11.0.1';

type Rp = Awaited<ReturnType<typeof registerClient>>;

/** Password sign-in in `browser`; returns the page after the password (or the callback). */
async function passwordOnly(ks: TestKeystep, rp: Rp, browser: Browser, creds: { email: string; password: string }, params: Record<string, string> = {}) {
  const auth = await authorizationRequest(rp.config, { prompt: 'login', ...params });
  const login = expectPage(await browser.navigate(auth.url.href));
  return { auth, next: await submitLogin(browser, login, creds.email, creds.password) };
}

async function finish(rp: Rp, browser: Browser, auth: Awaited<ReturnType<typeof authorizationRequest>>, r: Page | { leftTo: string }) {
  if (!('leftTo' in r) && r.doc.querySelector('form[action$="/confirm"]')) r = await browser.submit(r, 'form[action$="/confirm"]');
  return decodeJwt((await exchangeCode(rp.config, new URL(expectLeft(r)), auth)).id_token!);
}

const isChallenge = (r: Page | { leftTo: string }) => !('leftTo' in r) && Boolean(r.doc.querySelector('form[action$="/mfa/verify"]'));

describe('trusted devices', () => {
  let ks: TestKeystep;
  let rp: Rp;
  beforeAll(async () => {
    ks = await startTestKeystep();
    rp = await registerClient(ks);
  });
  afterAll(async () => ks?.stop());

  test('"Trust this device" skips the org-required challenge with honest aal1 claims, not an explicit aal2 request; revoking ends it', async () => {
    const u = await createTotpUser(ks, 'required');
    const browser = new Browser(ks.issuer);
    const first = await passwordOnly(ks, rp, browser, u);
    const challenge = expectPage(first.next);
    expect(challenge.doc.querySelector('input[name=trust_device]')).toBeTruthy();
    const id1 = await finish(rp, browser, first.auth, await browser.submit(challenge, 'form[action$="/mfa/verify"]', { code: await codeAt(u.secret, 1), trust_device: 'on' }));
    expect(id1).toMatchObject({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'] });
    const [device] = await ks.store.trustedDevices.list(u.userId);
    expect(device).toBeDefined();
    expect(device!.expiresAt.getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000); // default 30 days

    // Next sign-in on this device: password only, and the tokens say so.
    const second = await passwordOnly(ks, rp, browser, u);
    expect(isChallenge(second.next)).toBe(false);
    expect(await finish(rp, browser, second.auth, second.next)).toMatchObject({ acr: 'aal1', amr: ['pwd'] });

    // An explicit request for aal2 still steps up on the trusted device.
    const explicit = await passwordOnly(ks, rp, browser, u, { acr_values: 'aal2' });
    expect(isChallenge(explicit.next)).toBe(true);

    // Another browser is not trusted.
    const other = new Browser(ks.issuer);
    expect(isChallenge((await passwordOnly(ks, rp, other, u)).next)).toBe(true);

    // Revoked (through the CLI operation): the challenge is back.
    const services = ks.keystep.services;
    await runOperation({ store: ks.store, sealer: ks.keystep.sealer, factors: services.factors, levels: services.acr }, 'user.devices-revoke', { email: u.email, all: true });
    expect(isChallenge((await passwordOnly(ks, rp, browser, u)).next)).toBe(true);
    const events = (await ks.store.audit.list({ userId: u.userId })).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['mfa.device_trusted', 'mfa.device_revoked']));
  });

  test('an organisation with remember-device off does not offer it', async () => {
    const u = await createTotpUser(ks, 'required');
    await ks.store.organisations.setMfa(u.org, { mode: 'required', rememberDeviceDays: 0 });
    const { next } = await passwordOnly(ks, rp, new Browser(ks.issuer), u);
    expect(expectPage(next).doc.querySelector('input[name=trust_device]')).toBeNull();
  });
});

describe('adaptive MFA', () => {
  let ks: TestKeystep;
  let rp: Rp;
  beforeAll(async () => {
    ks = await startTestKeystep({ env: { KEYSTEP_TRUST_PROXY: 'true' } });
    rp = await registerClient(ks);
  });
  afterAll(async () => ks?.stop());

  const from = (ip: string) => new Browser(ks?.issuer ?? '', { 'x-forwarded-for': ip });

  test('a familiar context needs no MFA; a new country does (the score and reasons are audited)', async () => {
    const u = await createTotpUser(ks, 'off');
    await ks.store.organisations.setMfa(u.org, { mode: 'adaptive' });
    const london = from(LONDON);
    expect(isChallenge((await passwordOnly(ks, rp, london, u)).next)).toBe(false); // no baseline yet
    const familiar = await passwordOnly(ks, rp, london, u);
    expect(isChallenge(familiar.next)).toBe(false);
    expect(await finish(rp, london, familiar.auth, familiar.next)).toMatchObject({ acr: 'aal1' });

    // The same browser (known device) from the Netherlands: new country.
    london.headers['x-forwarded-for'] = AMSTERDAM;
    await new Promise((r) => setTimeout(r, 10));
    const abroad = await passwordOnly(ks, rp, london, u);
    expect(isChallenge(abroad.next)).toBe(true);
    const [assessed] = await ks.store.audit.list({ userId: u.userId, event: 'user.risk_assessed', limit: 1 });
    expect(assessed!.details).toMatchObject({ requires_mfa: true, country: 'NL' });
    expect(assessed!.details.reasons).toContain('new_country');
    expect(assessed!.details.score as number).toBeGreaterThanOrEqual(50);
  });

  test('impossible travel triggers MFA (country change weighted 0 to isolate it)', async () => {
    const u = await createTotpUser(ks, 'off');
    await ks.store.organisations.setMfa(u.org, { mode: 'adaptive' });
    await ks.store.organisations.setRiskPolicy(u.org, { weights: { newCountry: 0 } });
    const browser = from(LONDON);
    expect(isChallenge((await passwordOnly(ks, rp, browser, u)).next)).toBe(false);
    browser.headers['x-forwarded-for'] = TOKYO; // ~9,500 km a few seconds later
    expect(isChallenge((await passwordOnly(ks, rp, browser, u)).next)).toBe(true);
    const [assessed] = await ks.store.audit.list({ userId: u.userId, event: 'user.risk_assessed', limit: 1 });
    expect(assessed!.details.reasons).toEqual(['impossible_travel']);
  });

  test('a user without a factor is sent to enrolment when the risk is high; an allowed network scores 0', async () => {
    const u = await createTestUser(ks, { mfa: 'off' });
    await ks.store.organisations.setMfa(u.org, { mode: 'adaptive' });
    const browser = from(LONDON);
    await passwordOnly(ks, rp, browser, u);
    browser.headers['x-forwarded-for'] = AMSTERDAM;
    const risky = expectPage((await passwordOnly(ks, rp, browser, u)).next);
    expect(risky.doc.querySelector('a[href$="/mfa/enrol?kind=totp"]')).toBeTruthy();
    expect(risky.doc.querySelector('form[action$="/mfa/skip"]')).toBeNull();

    await ks.store.organisations.setRiskPolicy(u.org, { ipAllow: ['91.198.174.0/24'] });
    const allowed = await passwordOnly(ks, rp, browser, u);
    expect(isChallenge(allowed.next) || ('leftTo' in allowed.next ? false : Boolean(allowed.next.doc.querySelector('a[href$="/mfa/enrol?kind=totp"]')))).toBe(false);
  });

  test('without KEYSTEP_TRUST_PROXY, X-Forwarded-For is ignored', async () => {
    const plain = await startTestKeystep();
    try {
      const prp = await registerClient(plain);
      const u = await createTotpUser(plain, 'off');
      await plain.store.organisations.setMfa(u.org, { mode: 'adaptive' });
      const browser = new Browser(plain.issuer, { 'x-forwarded-for': LONDON });
      await passwordOnly(plain, prp, browser, u);
      browser.headers['x-forwarded-for'] = TOKYO;
      expect(isChallenge((await passwordOnly(plain, prp, browser, u)).next)).toBe(false);
    } finally {
      await plain.stop();
    }
  });
});
