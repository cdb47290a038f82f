// Relying-party side of the end-to-end tests: a registered client and openid-client flows.
import * as oidc from 'openid-client';
import { createClient } from '../../src/admin/clients.js';
import { createOrganisation } from '../../src/admin/organisations.js';
import { createUser } from '../../src/account/users.js';
import type { TestKeystep } from './keystep.js';
import { Browser, expectLeft, expectPage, type Page } from './browser.js';

export const REDIRECT_URI = 'http://rp.test/callback';

export async function registerClient(ks: TestKeystep, options: { public?: boolean; redirectUris?: string[] } = {}) {
  const { client, clientSecret } = await createClient(ks.store, ks.keystep.sealer, {
    name: 'Test RP',
    redirectUris: options.redirectUris ?? [REDIRECT_URI],
    postLogoutRedirectUris: ['http://rp.test/logged-out'],
    public: options.public,
  });
  const config = await oidc.discovery(
    new URL(ks.issuer),
    client.clientId,
    clientSecret,
    clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
  return { clientId: client.clientId, clientSecret, config };
}

export async function createTestUser(ks: TestKeystep, options: { email?: string; password?: string; org?: string; mfa?: 'off' | 'optional' | 'required' } = {}) {
  const org = options.org ?? `org-${Math.random().toString(36).slice(2, 10)}`;
  if (!(await ks.store.organisations.findBySlug(org))) await createOrganisation(ks.store, { slug: org, mfaMode: options.mfa ?? 'off' });
  const email = options.email ?? `user-${Math.random().toString(36).slice(2, 10)}@example.test`;
  const password = options.password ?? 'correct horse battery staple';
  const user = await createUser(ks.store, { email, orgSlug: org, password, name: 'Test User' });
  return { user, email, password, org };
}

export interface StartedAuthorization {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function authorizationRequest(config: oidc.Configuration, params: Record<string, string> = {}): Promise<StartedAuthorization> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url, verifier, state, nonce };
}

/** Fills in the login form on page. */
export async function submitLogin(browser: Browser, page: Page, email: string, password: string) {
  return browser.submit(page, 'form[action$="/login"]', { email, password });
}

/** Browser goes through login (if asked) and consent (if asked); returns the callback URL. */
export async function signIn(browser: Browser, auth: StartedAuthorization, creds: { email: string; password: string }): Promise<URL> {
  let r = await browser.navigate(auth.url.href);
  for (let step = 0; step < 5 && !('leftTo' in r); step++) {
    const page = expectPage(r);
    if (page.doc.querySelector('form[action$="/login"]')) r = await submitLogin(browser, page, creds.email, creds.password);
    else if (page.doc.querySelector('form[action$="/confirm"]')) r = await browser.submit(page, 'form[action$="/confirm"]');
    else throw new Error(`unexpected page ${page.url} (${page.status}):\n${page.html.slice(0, 1500)}`);
  }
  return new URL(expectLeft(r));
}

export async function exchangeCode(config: oidc.Configuration, callback: URL, auth: StartedAuthorization, params: Record<string, string> = {}) {
  return oidc.authorizationCodeGrant(
    config,
    callback,
    { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce },
    params,
  );
}
