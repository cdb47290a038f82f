// keystep/resource-server against real Keystep access tokens (RFC 9068 JWTs from a running
// server): the verifier, the Koa middleware and the Node middleware, and their RFC 9470 / RFC 6750
// challenges.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import * as oidc from 'openid-client';
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import { createAuthVerifier, requireAuth, requireAuthNode, type AuthResult, type RequireAuthOptions } from 'keystep/resource-server';
import { startTestKeystep, type TestKeystep } from './support/keystep.js';
import { Browser, expectPage } from './support/browser.js';
import { authorizationRequest, createTestUser, registerClient, signIn, submitLogin } from './support/oidc.js';
import { continueToClient, createTotpUser, nextTotpCode, submitCode, tokensFor } from './support/step-up.js';

const API = 'https://api.example.test';

let ks: TestKeystep;
let rp: Awaited<ReturnType<typeof registerClient>>;
/** Access tokens for API: a password-only sign-in, a password + TOTP sign-in, a client_credentials grant. */
let aal1: string;
let aal2: string;
let service: string;
let idToken: string;

const options = (extra: Partial<RequireAuthOptions> = {}): RequireAuthOptions => ({ issuer: ks.issuer, audience: API, ...extra });
const bearer = (token: string) => `Bearer ${token}`;
const atTime = (epochSeconds: number) => () => new Date(epochSeconds * 1000);
/** The token with one character in the middle of its signature changed. */
function tamper(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const i = Math.floor(signature.length / 2);
  return `${header}.${payload}.${signature.slice(0, i)}${signature[i] === 'A' ? 'B' : 'A'}${signature.slice(i + 1)}`;
}
const challengeOf = (result: AuthResult) => (result.ok ? undefined : result.wwwAuthenticate);
const claimsOf = (token: string) => decodeJwt(token) as { auth_time: number; exp: number; iat: number; acr?: string; amr?: string[] };

beforeAll(async () => {
  ks = await startTestKeystep({ env: { KEYSTEP_RESOURCES: API } });
  rp = await registerClient(ks);
  const scope = { resource: API, scope: 'openid api:read' };

  const password = await createTestUser(ks, { mfa: 'off' });
  const a1 = await authorizationRequest(rp.config, scope);
  const first = await tokensFor(rp.config, await signIn(new Browser(ks.issuer), a1, password), a1, { resource: API });
  aal1 = first.tokens.access_token;
  idToken = first.tokens.id_token!;

  const totp = await createTotpUser(ks, 'optional');
  const browser = new Browser(ks.issuer);
  const a2 = await authorizationRequest(rp.config, scope);
  const challenge = expectPage(await submitLogin(browser, expectPage(await browser.navigate(a2.url.href)), totp.email, totp.password));
  const r = await submitCode(browser, challenge, await nextTotpCode(ks, totp));
  aal2 = (await tokensFor(rp.config, await continueToClient(browser, r), a2, { resource: API })).tokens.access_token;

  service = (await oidc.clientCredentialsGrant(rp.config, { resource: API, scope: 'api:read' })).access_token;
});
afterAll(async () => ks?.stop());

test('the tokens are what the tests below assume', () => {
  expect(decodeProtectedHeader(aal1).typ).toBe('at+jwt');
  expect(claimsOf(aal1)).toMatchObject({ acr: 'aal1', amr: ['pwd'], aud: API, iss: ks.issuer });
  expect(claimsOf(aal2)).toMatchObject({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'], aud: API });
  expect(decodeProtectedHeader(service).typ).toBe('at+jwt');
  expect(claimsOf(service).acr).toBeUndefined();
  expect(decodeProtectedHeader(idToken).typ).not.toBe('at+jwt');
});

describe('createAuthVerifier', () => {
  test('a sufficient token passes with its claims', async () => {
    const result = await createAuthVerifier(options({ acr: 'aal2', maxAge: 300 }))(bearer(aal2));
    expect(result).toEqual({ ok: true, claims: expect.objectContaining({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'], aud: API, client_id: rp.clientId, scope: 'api:read' }) });
    if (result.ok) expect(result.claims.sub).toBe(decodeJwt(aal2).sub);
  });

  test('a stronger level than required passes; no requirement passes any valid token', async () => {
    expect((await createAuthVerifier(options({ acr: 'aal1' }))(bearer(aal2))).ok).toBe(true);
    expect((await createAuthVerifier(options())(bearer(aal1))).ok).toBe(true);
    expect((await createAuthVerifier(options())(bearer(service))).ok).toBe(true);
    expect((await createAuthVerifier(options({ acr: 'aal1' }))(`bearer ${aal1}`)).ok).toBe(true); // the scheme is case-insensitive
  });

  test('a level below the required one: insufficient_user_authentication naming the acr', async () => {
    expect(await createAuthVerifier(options({ acr: 'aal2' }))(bearer(aal1))).toEqual({
      ok: false,
      status: 401,
      error: 'insufficient_user_authentication',
      wwwAuthenticate: 'Bearer error="insufficient_user_authentication", error_description="authentication at level aal2 or above is required", acr_values="aal2"',
    });
    expect(challengeOf(await createAuthVerifier(options({ acr: 'aal2', maxAge: 300 }))(bearer(aal1)))).toBe(
      'Bearer error="insufficient_user_authentication", error_description="authentication at level aal2 or above is required", acr_values="aal2", max_age=300',
    );
  });

  test('a token without acr (client_credentials) does not meet an acr requirement', async () => {
    const result = await createAuthVerifier(options({ acr: 'aal1' }))(bearer(service));
    expect(result).toMatchObject({ ok: false, status: 401, error: 'insufficient_user_authentication' });
  });

  test('max_age: within it passes, beyond it is insufficient and names max_age', async () => {
    const { auth_time } = claimsOf(aal2);
    expect((await createAuthVerifier(options({ acr: 'aal2', maxAge: 300, now: atTime(auth_time + 299) }))(bearer(aal2))).ok).toBe(true);
    expect(await createAuthVerifier(options({ acr: 'aal2', maxAge: 300, now: atTime(auth_time + 301) }))(bearer(aal2))).toEqual({
      ok: false,
      status: 401,
      error: 'insufficient_user_authentication',
      wwwAuthenticate: 'Bearer error="insufficient_user_authentication", error_description="a more recent authentication is required", acr_values="aal2", max_age=300',
    });
    // Without an acr requirement the challenge names max_age only.
    expect(challengeOf(await createAuthVerifier(options({ maxAge: 60, now: atTime(auth_time + 61) }))(bearer(aal2)))).toBe(
      'Bearer error="insufficient_user_authentication", error_description="a more recent authentication is required", max_age=60',
    );
    // A token without auth_time cannot show a recent authentication.
    expect(await createAuthVerifier(options({ maxAge: 300 }))(bearer(service))).toMatchObject({ ok: false, error: 'insufficient_user_authentication' });
  });

  test('a required amr value missing is insufficient', async () => {
    expect(await createAuthVerifier(options({ amr: ['otp'] }))(bearer(aal1))).toEqual({
      ok: false,
      status: 401,
      error: 'insufficient_user_authentication',
      wwwAuthenticate: 'Bearer error="insufficient_user_authentication", error_description="authentication with otp is required"',
    });
    expect(challengeOf(await createAuthVerifier(options({ amr: ['mfa'], acr: 'aal1' }))(bearer(aal1)))).toBe(
      'Bearer error="insufficient_user_authentication", error_description="authentication with mfa is required", acr_values="aal1"',
    );
    expect((await createAuthVerifier(options({ amr: ['otp', 'mfa'] }))(bearer(aal2))).ok).toBe(true);
  });

  test('no Authorization header: 401 with a bare Bearer challenge (no error code)', async () => {
    expect(await createAuthVerifier(options({ acr: 'aal2' }))(undefined)).toEqual({ ok: false, status: 401, error: undefined, wwwAuthenticate: 'Bearer' });
  });

  test('an Authorization header that is not a bearer token is invalid_request', async () => {
    const result = await createAuthVerifier(options())('Basic dXNlcjpwYXNz');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBe('invalid_request');
      expect(result.wwwAuthenticate).toMatch(/^Bearer error="invalid_request"/);
    }
  });

  test('an expired token is invalid_token', async () => {
    const { exp } = claimsOf(aal2);
    expect(await createAuthVerifier(options({ now: atTime(exp + 3600) }))(bearer(aal2))).toEqual({
      ok: false,
      status: 401,
      error: 'invalid_token',
      wwwAuthenticate: 'Bearer error="invalid_token", error_description="the access token has expired"',
    });
  });

  test('another audience or another issuer is invalid_token', async () => {
    expect(await createAuthVerifier(options({ audience: 'https://other.example.test' }))(bearer(aal2))).toEqual({
      ok: false,
      status: 401,
      error: 'invalid_token',
      wwwAuthenticate: `Bearer error="invalid_token", error_description="the access token's aud is not accepted"`,
    });
    // The right keys, but a different issuer expected.
    const wrongIssuer = await createAuthVerifier(options({ issuer: 'https://elsewhere.example.test', jwksUri: `${ks.issuer}/jwks` }))(bearer(aal2));
    expect(wrongIssuer).toEqual({
      ok: false,
      status: 401,
      error: 'invalid_token',
      wwwAuthenticate: `Bearer error="invalid_token", error_description="the access token's iss is not accepted"`,
    });
  });

  test('a changed signature, a changed payload or a token signed by another key is invalid_token', async () => {
    const flipped = tamper(aal2);
    expect(flipped).not.toBe(aal2);
    const verify = createAuthVerifier(options());
    const invalid = { ok: false, status: 401, error: 'invalid_token', wwwAuthenticate: 'Bearer error="invalid_token", error_description="the access token is not valid"' };
    expect(await verify(bearer(flipped))).toEqual(invalid);

    const raised = Buffer.from(JSON.stringify({ ...decodeJwt(aal1), acr: 'aal3' })).toString('base64url');
    expect(await verify(bearer(`${aal1.split('.')[0]}.${raised}.${aal1.split('.')[2]}`))).toEqual(invalid);

    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ ...decodeJwt(aal1), acr: 'aal3' }).setProtectedHeader(decodeProtectedHeader(aal1) as { alg: string }).sign(privateKey);
    expect(await verify(bearer(forged))).toEqual(invalid);
    expect(await verify(bearer(`${aal1.split('.')[0]}.${aal1.split('.')[1]}.`))).toMatchObject({ ok: false, error: 'invalid_token' });
  });

  test('an ID token (typ JWT, not at+jwt) is refused even with its own audience', async () => {
    const result = await createAuthVerifier(options({ audience: rp.clientId }))(bearer(idToken));
    expect(result).toEqual({
      ok: false,
      status: 401,
      error: 'invalid_token',
      wwwAuthenticate: `Bearer error="invalid_token", error_description="the access token's typ is not accepted"`,
    });
  });

  test('a required level the verifier does not know fails closed', async () => {
    // A typo in the API's configuration must not let every token through.
    let result: AuthResult | undefined;
    try {
      result = await createAuthVerifier(options({ acr: 'aal-2' }))(bearer(aal1));
    } catch {
      result = undefined; // refusing the configuration is fine too
    }
    expect(result?.ok).not.toBe(true);
  });
});

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('requireAuth (Koa)', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    const app = new Koa();
    app.use(requireAuth(options({ acr: 'aal2', maxAge: 300 })));
    app.use((ctx) => {
      ctx.body = { sub: (ctx.state.auth as { sub: string }).sub, acr: (ctx.state.auth as { acr: string }).acr };
    });
    server = http.createServer(app.callback());
    url = await listen(server);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('sufficient: the handler runs with ctx.state.auth', async () => {
    const res = await fetch(url, { headers: { authorization: bearer(aal2) } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: decodeJwt(aal2).sub, acr: 'aal2' });
  });

  test('insufficient: 401 with the RFC 9470 challenge, no-store, a JSON error, and the handler does not run', async () => {
    const res = await fetch(url, { headers: { authorization: bearer(aal1) } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", error_description="authentication at level aal2 or above is required", acr_values="aal2", max_age=300',
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({ error: 'insufficient_user_authentication' });
  });

  test('no token: 401 Bearer; a bad token: 401 invalid_token', async () => {
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const bad = await fetch(url, { headers: { authorization: bearer(tamper(aal2)) } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });
});

describe('requireAuthNode (node:http)', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    const guard = requireAuthNode(options({ acr: 'aal2' }));
    server = http.createServer((req, res) =>
      guard(req, res, (err) => {
        if (err) {
          res.statusCode = 500;
          return res.end();
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ auth: (req as typeof req & { auth?: unknown }).auth }));
      }),
    );
    url = await listen(server);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('sufficient: next() runs with req.auth', async () => {
    const res = await fetch(url, { headers: { authorization: bearer(aal2) } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { auth: { acr: string; aud: string } }).auth).toMatchObject({ acr: 'aal2', aud: API });
  });

  test('insufficient: 401 with exactly the RFC 9470 challenge and a JSON body', async () => {
    const res = await fetch(url, { headers: { authorization: bearer(aal1) } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", error_description="authentication at level aal2 or above is required", acr_values="aal2"',
    );
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({ error: 'insufficient_user_authentication' });
  });

  test('no token: 401 Bearer; an ID token: 401 invalid_token', async () => {
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const id = await fetch(url, { headers: { authorization: bearer(idToken) } });
    expect(id.status).toBe(401);
    expect(id.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });
});
