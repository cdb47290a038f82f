// After a password + code sign-in, an organisation can offer to add a passkey (progressive
// enrolment); without a browser: the software authenticator answers the registration options.
import { decodeJwt } from 'jose';
import { startTestKeystep, type TestKeystep } from './support/keystep.js';
import { Browser, expectLeft, expectPage, type Page } from './support/browser.js';
import { authorizationRequest, exchangeCode, registerClient, submitLogin } from './support/oidc.js';
import { createTotpUser, nextTotpCode } from './support/step-up.js';
import { createCredential } from './support/soft-authenticator.js';

describe('passkey offer after a password + code sign-in', () => {
  let ks: TestKeystep;
  let rp: Awaited<ReturnType<typeof registerClient>>;
  beforeAll(async () => {
    ks = await startTestKeystep();
    rp = await registerClient(ks);
  });
  afterAll(async () => ks?.stop());

  async function passwordAndCode(u: Awaited<ReturnType<typeof createTotpUser>>) {
    const browser = new Browser(ks.issuer);
    const auth = await authorizationRequest(rp.config);
    const challenge = expectPage(await submitLogin(browser, expectPage(await browser.navigate(auth.url.href)), u.email, u.password));
    const after = await browser.submit(challenge, 'form[action$="/mfa/verify"]', { code: await nextTotpCode(ks, u) });
    return { browser, auth, after };
  }

  async function toClient(browser: Browser, auth: Awaited<ReturnType<typeof authorizationRequest>>, r: Page | { leftTo: string }) {
    if (!('leftTo' in r) && r.doc.querySelector('form[action$="/confirm"]')) r = await browser.submit(r, 'form[action$="/confirm"]');
    return decodeJwt((await exchangeCode(rp.config, new URL(expectLeft(r)), auth)).id_token!);
  }

  test('off by default: no offer', async () => {
    const u = await createTotpUser(ks, 'required');
    const { after } = await passwordAndCode(u);
    expect('leftTo' in after || !after.doc.querySelector('#passkey-offer-continue')).toBe(true);
  });

  test('when the organisation turns it on: offered once, "Not now" finishes at aal2, and it is not offered again for 30 days', async () => {
    const u = await createTotpUser(ks, 'required');
    await ks.store.organisations.setWebauthnPolicy(u.org, { offerPasskeys: true });
    const first = await passwordAndCode(u);
    const offer = expectPage(first.after);
    expect(offer.doc.querySelector('a[href$="/mfa/passkey"]')).toBeTruthy();
    const id = await toClient(first.browser, first.auth, await first.browser.submit(offer, '#passkey-offer-continue'));
    expect(id).toMatchObject({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'] });

    const second = await passwordAndCode(u);
    expect('leftTo' in second.after || !second.after.doc.querySelector('#passkey-offer-continue')).toBe(true);
    ks.advanceClock(31 * 86_400);
    // Past 30 days the offer returns (the policy clock moved; the TOTP helper follows it).
    const third = await passwordAndCode(u);
    expect(expectPage(third.after).doc.querySelector('#passkey-offer-continue')).toBeTruthy();
  });

  test('adding the passkey from the offer registers it and the sign-in finishes with it', async () => {
    const u = await createTotpUser(ks, 'required');
    await ks.store.organisations.setWebauthnPolicy(u.org, { offerPasskeys: true });
    const { browser, auth, after } = await passwordAndCode(u);
    const enrol = await browser.page(new URL(expectPage(after).doc.querySelector('a[href$="/mfa/passkey"]')!.getAttribute('href')!, ks.issuer).href);
    const form = enrol.doc.querySelector('form[data-webauthn="register"]')!;
    expect(enrol.doc.querySelector('form[action$="/mfa/continue"]')).toBeTruthy(); // still optional
    const options = JSON.parse(form.getAttribute('data-options')!);
    const registration = createCredential(options, { origin: ks.issuer, rpId: 'localhost', uv: true });
    const id = await toClient(browser, auth, await browser.submit(enrol, 'form[data-webauthn="register"]', { code: JSON.stringify(registration), name: 'Laptop' }));
    expect(id.acr).toBe('phrh');
    expect(id.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'hwk', 'user', 'mfa']));
    const keys = (await ks.store.mfaFactors.listForUser(u.userId)).filter((f) => f.kind === 'webauthn');
    expect(keys.map((k) => k.name)).toEqual(['Laptop']);
  });
});
