// End to end: a real OIDC client (openid-client) against a running Keystep.
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import { startTestKeystep, type TestKeystep } from './support/keystep.js';
import { Browser, expectLeft, expectPage } from './support/browser.js';
import { authorizationRequest, createTestUser, exchangeCode, registerClient, signIn } from './support/oidc.js';

const API = 'https://api.example.test';

describe('core OIDC flows', () => {
  let ks: TestKeystep;
  let rp: Awaited<ReturnType<typeof registerClient>>;
  let account: Awaited<ReturnType<typeof createTestUser>>;

  beforeAll(async () => {
    ks = await startTestKeystep({ env: { KEYSTEP_RESOURCES: API } });
    rp = await registerClient(ks);
    account = await createTestUser(ks);
  });
  afterAll(async () => ks?.stop());

  test('discovery advertises RS256, the acr levels and PKCE', async () => {
    const meta = rp.config.serverMetadata();
    expect(meta.issuer).toBe(ks.issuer);
    expect(meta.id_token_signing_alg_values_supported).toEqual(['RS256']);
    expect(meta.acr_values_supported).toEqual(['aal1', 'aal2', 'phr', 'phrh', 'aal3']);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    const jwks = await (await fetch(`${ks.issuer}/jwks`)).json();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();
  });

  test('authorization code + PKCE with password login yields verified tokens with acr/amr/auth_time', async () => {
    const before = Math.floor(Date.now() / 1000);
    const browser = new Browser(ks.issuer);
    const auth = await authorizationRequest(rp.config, { scope: 'openid email profile offline_access', prompt: 'consent' });
    const callback = await signIn(browser, auth, account);
    const tokens = await exchangeCode(rp.config, callback, auth);

    const jwks = createRemoteJWKSet(new URL(`${ks.issuer}/jwks`));
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    const { payload: id } = await jwtVerify(tokens.id_token!, jwks, { issuer: ks.issuer, audience: rp.clientId });
    expect(id.sub).toBe(account.user.id);
    expect(id.acr).toBe('aal1');
    expect(id.amr).toEqual(['pwd']);
    expect(id.auth_time).toBeGreaterThanOrEqual(before - 1);
    expect(id.nonce).toBe(auth.nonce);

    // userinfo with the (opaque) access token
    const info = await oidc.fetchUserInfo(rp.config, tokens.access_token, id.sub!);
    expect(info).toMatchObject({ sub: account.user.id, email: account.email, name: 'Test User' });

    // refresh tokens rotate: the old one stops working
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await oidc.refreshTokenGrant(rp.config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await expect(oidc.refreshTokenGrant(rp.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const { payload: refreshedId } = await jwtVerify(refreshed.id_token!, jwks, { issuer: ks.issuer, audience: rp.clientId });
    expect(refreshedId).toMatchObject({ acr: 'aal1', amr: ['pwd'], auth_time: id.auth_time });
  });

  test('a resource server gets an RFC 9068 JWT access token carrying acr, amr and auth_time', async () => {
    const browser = new Browser(ks.issuer);
    const auth = await authorizationRequest(rp.config, { resource: API, scope: 'openid api:read' });
    const callback = await signIn(browser, auth, account);
    const tokens = await exchangeCode(rp.config, callback, auth, { resource: API });
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${ks.issuer}/jwks`)), {
      issuer: ks.issuer,
      audience: API,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({ sub: account.user.id, client_id: rp.clientId, acr: 'aal1', amr: ['pwd'], scope: 'api:read' });
    expect(typeof payload.auth_time).toBe('number');
    expect(payload.jti).toBeTruthy();
  });

  test('client_credentials issues a JWT for a resource server', async () => {
    const tokens = await oidc.clientCredentialsGrant(rp.config, { resource: API, scope: 'api:read' });
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${ks.issuer}/jwks`)), {
      issuer: ks.issuer,
      audience: API,
    });
    expect(payload).toMatchObject({ client_id: rp.clientId, scope: 'api:read' });
    expect(payload.sub).toBe(rp.clientId);
    expect(payload.acr).toBeUndefined();
  });

  test('an unknown resource indicator is refused with invalid_target', async () => {
    await expect(oidc.clientCredentialsGrant(rp.config, { resource: 'https://nope.example.test' })).rejects.toMatchObject({
      error: 'invalid_target',
    });
  });

  test('RP-initiated logout ends the session: the next authorization asks for the password again', async () => {
    const browser = new Browser(ks.issuer);
    const auth = await authorizationRequest(rp.config);
    const tokens = await exchangeCode(rp.config, await signIn(browser, auth, account), auth);

    // Same browser, new request: the session is reused, no login form.
    const silent = await authorizationRequest(rp.config);
    expect(expectLeft(await browser.navigate(silent.url.href))).toContain('code=');

    const logoutUrl = oidc.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://rp.test/logged-out' });
    const prompt = expectPage(await browser.navigate(logoutUrl.href));
    expect(prompt.html).toContain('Sign out');
    const done = await browser.submit(prompt, 'form#op\\.logoutForm', { logout: 'yes' });
    expect(expectLeft(done)).toMatch(/^http:\/\/rp\.test\/logged-out/);

    const again = await authorizationRequest(rp.config);
    const page = expectPage(await browser.navigate(again.url.href));
    expect(page.doc.querySelector('form[action$="/login"]')).toBeTruthy();
  });
});
