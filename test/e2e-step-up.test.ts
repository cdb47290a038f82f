// End to end: step-up (RFC 9470 style) through acr_values / essential acr / max_age.
import { createRemoteJWKSet, jwtVerify, decodeJwt } from 'jose';
import { startTestKeystep, type TestKeystep } from './support/keystep.js';
import { Browser, expectLeft, expectPage, type Page } from './support/browser.js';
import { authorizationRequest, createTestUser, exchangeCode, registerClient, signIn } from './support/oidc.js';
import { codeAt } from './support/mfa.js';
import { createTotpUser } from './support/step-up.js';

const API = 'https://api.example.test';

describe('step-up', () => {
  let ks: TestKeystep;
  let rp: Awaited<ReturnType<typeof registerClient>>;
  beforeAll(async () => {
    ks = await startTestKeystep({ env: { KEYSTEP_RESOURCES: API } });
    rp = await registerClient(ks);
  });
  afterAll(async () => ks?.stop());

  const verify = async (token: string, audience: string) =>
    (await jwtVerify(token, createRemoteJWKSet(new URL(`${ks.issuer}/jwks`)), { issuer: ks.issuer, audience })).payload;

  test('an aal1 session asked for acr_values=aal2 gets only the second factor, then aal2 tokens with step_up', async () => {
    const account = await createTotpUser(ks, 'off');
    const browser = new Browser(ks.issuer);
    const first = await authorizationRequest(rp.config);
    const id1 = await verify((await exchangeCode(rp.config, await signIn(browser, first, account), first)).id_token!, rp.clientId);
    expect(id1).toMatchObject({ acr: 'aal1', amr: ['pwd'] });
    expect(id1.step_up).toBeUndefined();

    await new Promise((r) => setTimeout(r, 1100)); // a fresh auth_time must be visibly later
    const second = await authorizationRequest(rp.config, { acr_values: 'aal2', resource: API, scope: 'openid api:read' });
    const challenge = expectPage(await browser.navigate(second.url.href));
    expect(challenge.doc.querySelector('form[action$="/login"]')).toBeNull(); // no password again
    expect(challenge.doc.querySelector('form[action$="/mfa/verify"]')).toBeTruthy();
    let r: Page | { leftTo: string } = await browser.submit(challenge, 'form[action$="/mfa/verify"]', { code: await codeAt(account.secret, 1) });
    if (!('leftTo' in r) && r.doc.querySelector('form[action$="/confirm"]')) r = await browser.submit(r, 'form[action$="/confirm"]');
    const tokens = await exchangeCode(rp.config, new URL(expectLeft(r)), second, { resource: API });
    const id2 = await verify(tokens.id_token!, rp.clientId);
    expect(id2).toMatchObject({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'], step_up: true });
    expect(id2.auth_time as number).toBeGreaterThan(id1.auth_time as number);
    const at = await verify(tokens.access_token, API);
    expect(at).toMatchObject({ acr: 'aal2', step_up: true, auth_time: id2.auth_time });

    // The same request again is satisfied by the session: no interaction, and no step_up.
    const third = await authorizationRequest(rp.config, { acr_values: 'aal2' });
    const id3 = decodeJwt((await exchangeCode(rp.config, new URL(expectLeft(await browser.navigate(third.url.href))), third)).id_token!);
    expect(id3).toMatchObject({ acr: 'aal2', auth_time: id2.auth_time });
    expect(id3.step_up).toBeUndefined();
  });

  test('an essential acr claim steps up the same way', async () => {
    const account = await createTotpUser(ks, 'off');
    const browser = new Browser(ks.issuer);
    const first = await authorizationRequest(rp.config);
    await exchangeCode(rp.config, await signIn(browser, first, account), first);
    const second = await authorizationRequest(rp.config, { claims: JSON.stringify({ id_token: { acr: { essential: true, values: ['aal2', 'aal3'] } } }) });
    const challenge = expectPage(await browser.navigate(second.url.href));
    expect(challenge.doc.querySelector('form[action$="/mfa/verify"]')).toBeTruthy();
    const r = await browser.submit(challenge, 'form[action$="/mfa/verify"]', { code: await codeAt(account.secret, 1) });
    const id = decodeJwt((await exchangeCode(rp.config, new URL(expectLeft(r)), second)).id_token!);
    expect(id).toMatchObject({ acr: 'aal2', step_up: true });
  });

  test('a level the user cannot reach ends with unmet_authentication_requirements, never a lower acr', async () => {
    const account = await createTestUser(ks, { mfa: 'off' }); // no factor, and the org does not allow enrolment
    const browser = new Browser(ks.issuer);
    const auth = await authorizationRequest(rp.config, { acr_values: 'aal2' });
    const login = expectPage(await browser.navigate(auth.url.href));
    const callback = new URL(expectLeft(await browser.submit(login, 'form[action$="/login"]', { email: account.email, password: account.password })));
    expect(callback.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(callback.searchParams.get('code')).toBeNull();
  });

  test('an unknown essential acr is refused; an unknown voluntary acr_values entry is ignored', async () => {
    const account = await createTestUser(ks, { mfa: 'off' });
    const browser = new Browser(ks.issuer);
    const refused = await authorizationRequest(rp.config, { claims: JSON.stringify({ id_token: { acr: { essential: true, value: 'urn:nope' } } }) });
    const redirected = new URL(expectLeft(await browser.navigate(refused.url.href)));
    expect(redirected.searchParams.get('error')).toBe('unmet_authentication_requirements');
    const lenient = await authorizationRequest(rp.config, { acr_values: 'urn:nope' });
    const id = decodeJwt((await exchangeCode(rp.config, await signIn(browser, lenient, account), lenient)).id_token!);
    expect(id.acr).toBe('aal1');
  });

  test('max_age=0 asks for the password again', async () => {
    const account = await createTestUser(ks, { mfa: 'off' });
    const browser = new Browser(ks.issuer);
    const first = await authorizationRequest(rp.config);
    await exchangeCode(rp.config, await signIn(browser, first, account), first);
    const again = await authorizationRequest(rp.config, { max_age: '0' });
    const page = expectPage(await browser.navigate(again.url.href));
    expect(page.doc.querySelector('form[action$="/login"]')).toBeTruthy();
    const id = decodeJwt((await exchangeCode(rp.config, await signIn(browser, again, account), again)).id_token!);
    expect(id.acr).toBe('aal1');
  });
});
