// WebAuthn in a real browser: Chromium (playwright-core) with the CDP virtual authenticator
// (test/support/virtual-authenticator.ts) against Keystep started in-process. The relying party
// is openid-client: the code is exchanged and the ID token's acr/amr checked. Its redirect URI
// (http://rp.test/callback) is a tiny local page: Chromium resolves rp.test to it
// (--host-resolver-rules), because page.route() does not see a request reached by a redirect,
// which is how every callback arrives.
//   1. a USB security key as second factor: required enrolment, then password + key again
//   2. a platform passkey: enrolled, then passwordless "Sign in with a passkey"
//   3. user verification failing: the passwordless sign-in cannot succeed
//   4. a signature counter going backwards: refused, audited, the credential flagged
//   5. step-up from aal2 (TOTP) to phr: enrol a key in the middle of the authorization
import { createServer, type Server } from 'node:http';
import * as oidc from 'openid-client';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { startTestKeystep, type TestKeystep } from '../support/keystep.js';
import { authorizationRequest, createTestUser, registerClient, type StartedAuthorization } from '../support/oidc.js';
import { createTotpUser, nextTotpCode, tokensFor } from '../support/step-up.js';
import { addVirtualAuthenticator, CHROMIUM, CHROMIUM_ARGS, requireChromium, type AuthenticatorPreset, type VirtualAuthenticator } from '../support/virtual-authenticator.js';

const available = requireChromium('WebAuthn in Chromium');

const RP_ORIGIN = 'http://rp.test';
const LOGGED_OUT = `${RP_ORIGIN}/logged-out`;
const CLONED = /looks cloned/i;

interface Tab {
  context: BrowserContext;
  page: Page;
  /** Every URL of the relying party the browser was sent to (callbacks, logout). */
  rpHits: string[];
  /** The path of every POST the browser sent (form submissions). */
  posts: string[];
}

/** The relying party's pages: one tiny page for every path (callback, logged-out). */
function startRelyingPartyPages(): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>RP</title><p id="rp">relying party</p>');
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

interface Account {
  email: string;
  password: string;
  userId: string;
}

(available ? describe : describe.skip)('WebAuthn sign-in in Chromium', () => {
  let ks: TestKeystep;
  let rp: Awaited<ReturnType<typeof registerClient>>;
  let browser: Browser | undefined;
  let rpPages: Awaited<ReturnType<typeof startRelyingPartyPages>> | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    rpPages = await startRelyingPartyPages();
    const args = [...CHROMIUM_ARGS, `--host-resolver-rules=MAP rp.test 127.0.0.1:${rpPages.port}`];
    [ks, browser] = await Promise.all([startTestKeystep(), chromium.launch({ executablePath: CHROMIUM, headless: true, args })]);
    rp = await registerClient(ks);
    expect(ks.issuer).toMatch(/^http:\/\/localhost:\d+$/); // RP ID "localhost", origin = issuer
  }, 30_000);

  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await ks?.stop();
    await new Promise((r) => (rpPages ? rpPages.server.close(r) : r(undefined)));
  });

  // -------------------------------------------------------------------------------------------
  // Browser plumbing

  /**
   * A fresh browser context (no Keystep session). Conditional mediation (passkey autofill) is
   * switched off unless asked for: Chromium's virtual authenticator answers a conditional request
   * at once, without the user picking the passkey, which would sign in before any click.
   */
  async function newTab(options: { autofill?: boolean } = {}): Promise<Tab> {
    const context = await browser!.newContext();
    contexts.push(context);
    if (!options.autofill) {
      await context.addInitScript(() => {
        if (window.PublicKeyCredential) PublicKeyCredential.isConditionalMediationAvailable = async () => false;
      });
    }
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const rpHits: string[] = [];
    const posts: string[] = [];
    context.on('request', (r) => {
      if (r.url().startsWith(`${RP_ORIGIN}/`)) rpHits.push(r.url());
      if (r.method() === 'POST') posts.push(new URL(r.url()).pathname);
    });
    return { context, page, rpHits, posts };
  }

  /** A new authenticator in `tab` holding copies of `from`'s credentials (same keys, same counters). */
  async function carryCredentials(from: VirtualAuthenticator, tab: Tab, preset: AuthenticatorPreset): Promise<VirtualAuthenticator> {
    const to = await addVirtualAuthenticator(tab.page, preset);
    for (const { id: _id, ...credential } of await from.credentials()) {
      await to.session.send('WebAuthn.addCredential', { authenticatorId: to.authenticatorId, credential });
    }
    expect((await to.credentials()).map((c) => c.id)).toEqual((await from.credentials()).map((c) => c.id));
    return to;
  }

  async function authorize(tab: Tab, params: Record<string, string> = {}): Promise<StartedAuthorization> {
    const auth = await authorizationRequest(rp.config, params);
    await tab.page.goto(auth.url.href);
    return auth;
  }

  async function submitPassword(page: Page, account: { email: string; password: string }) {
    await page.waitForSelector('#password');
    await page.fill('#email', account.email);
    await page.fill('#password', account.password);
    const loaded = page.waitForEvent('load');
    await page.click('form[action$="/login"] button[type=submit]');
    await loaded;
  }

  /**
   * Clicks the page's WebAuthn button; returns the response to the form the script submits, once
   * the page it leads to (after any redirects) has loaded.
   */
  async function runCeremony(page: Page, action: RegExp): Promise<Response> {
    const submitted = page.waitForResponse((r) => r.request().method() === 'POST' && action.test(new URL(r.url()).pathname));
    const loaded = page.waitForEvent('load');
    await page.click('#webauthn-start');
    const [response] = await Promise.all([submitted, loaded]);
    return response;
  }

  /** Allows consent if asked; returns the callback URL the relying party received. */
  async function finishAtClient(tab: Tab): Promise<URL> {
    await tab.page.waitForSelector('#rp, form[action$="/confirm"]');
    if (await tab.page.locator('form[action$="/confirm"]').count()) {
      await tab.page.click('form[action$="/confirm"] button[type=submit]');
      await tab.page.waitForSelector('#rp');
    }
    const callback = new URL(tab.page.url());
    expect(callback.origin + callback.pathname).toBe(`${RP_ORIGIN}/callback`);
    return callback;
  }

  async function webauthnFactors(userId: string) {
    return (await ks.store.mfaFactors.listForUser(userId)).filter((f) => f.kind === 'webauthn');
  }

  /**
   * A user in an organisation with MFA mode `mfa` and no factor signs in with the password,
   * registers `preset` from the offer page, saves the backup codes and reaches the client.
   */
  async function enrolAtSignIn(preset: AuthenticatorPreset, mfa: 'required' | 'optional' = 'required') {
    const created = await createTestUser(ks, { mfa });
    const account: Account = { email: created.email, password: created.password, userId: created.user.id };
    const tab = await newTab();
    const key = await addVirtualAuthenticator(tab.page, preset);
    const auth = await authorize(tab);
    await submitPassword(tab.page, account);

    const setUp = tab.page.locator(`a[href$="/mfa/enrol?kind=webauthn"]`);
    await setUp.waitFor();
    expect((await setUp.textContent())?.trim()).toBe('Set up: Security key or passkey');
    await setUp.click();
    await tab.page.waitForSelector('form[data-webauthn="register"]');
    const registered = await runCeremony(tab.page, /\/mfa\/enrol$/);
    expect(registered.status()).toBe(200);

    await tab.page.waitForSelector('#backup-codes');
    expect(await tab.page.locator('#backup-codes code').count()).toBe(10);
    await tab.page.click('button:has-text("I have saved them, continue")');
    const { id, tokens } = await tokensFor(rp.config, await finishAtClient(tab), auth);

    // Keystep stored the credential the authenticator holds.
    const [credential] = await key.credentials();
    expect(await key.credentials()).toHaveLength(1);
    const factors = await webauthnFactors(account.userId);
    expect(factors).toHaveLength(1);
    expect(factors[0]!.confirmedAt).not.toBeNull();
    expect(factors[0]!.data).toMatchObject({ credential_id: credential!.id, device_type: 'singleDevice', backed_up: false, counter: credential!.signCount });
    return { account, tab, key, id, tokens, credentialId: credential!.id, factorId: factors[0]!.id };
  }

  // -------------------------------------------------------------------------------------------

  test('a USB security key as second factor: required enrolment, then password + key → phrh [pwd, hwk, mfa]', async () => {
    const { account, tab, key, id, tokens, credentialId, factorId } = await enrolAtSignIn('usb-security-key');
    expect(id).toMatchObject({ acr: 'phrh', amr: ['pwd', 'hwk', 'mfa'] });
    expect(key.options).toMatchObject({ transport: 'usb', hasResidentKey: false, hasUserVerification: false });
    const [created] = await key.credentials();
    expect(created!.isResidentCredential).toBe(false);
    expect((await ks.store.mfaFactors.find(factorId))!.data).toMatchObject({ transports: ['usb'] });

    // Sign out of Keystep (RP-initiated logout).
    await tab.page.goto(oidc.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: LOGGED_OUT }).href);
    await tab.page.click('button:has-text("Yes, sign me out")');
    await tab.page.waitForSelector('#rp');
    expect(tab.page.url()).toBe(LOGGED_OUT);

    // Signing in again: the password, then the WebAuthn challenge (the only factor).
    const auth = await authorize(tab);
    await submitPassword(tab.page, account);
    await tab.page.waitForSelector('form[data-webauthn="authenticate"]');
    expect(await tab.page.locator('h1').textContent()).toBe('Use your security key or device');
    expect(await tab.page.locator('input[name=factor]').inputValue()).toBe('webauthn');
    const before = (await ks.store.mfaFactors.find(factorId))!.data.counter as number;
    const verified = await runCeremony(tab.page, /\/mfa\/verify$/);
    expect(verified.status()).toBe(303);
    const again = await tokensFor(rp.config, await finishAtClient(tab), auth);
    expect(again.id).toMatchObject({ acr: 'phrh', amr: ['pwd', 'hwk', 'mfa'] });
    expect(again.id.auth_time).toBeGreaterThanOrEqual(id.auth_time as number);

    // The counter moved forward to what the key reported; the use is on the audit trail.
    const [used] = await key.credentials();
    const after = (await ks.store.mfaFactors.find(factorId))!;
    expect(after.data.counter).toBe(used!.signCount);
    expect(after.data.counter as number).toBeGreaterThan(before);
    expect(after.data.clone_suspected).toBeUndefined();
    expect(after.lastUsedAt).not.toBeNull();
    expect(await ks.store.audit.list({ userId: account.userId, event: 'user.mfa_succeeded' })).toEqual([
      expect.objectContaining({ factor: 'webauthn', clientId: rp.clientId }),
    ]);
    expect(credentialId).toBe(used!.id);
  }, 30_000);

  test('a platform passkey: enrolled as second factor, then "Sign in with a passkey" with no password → [hwk, user, mfa]', async () => {
    const { account, key, id, credentialId } = await enrolAtSignIn('platform-passkey');
    // Registered with user verification: the enrolment itself proved pwd + a user-verifying key.
    expect(id).toMatchObject({ acr: 'phrh', amr: ['pwd', 'hwk', 'user', 'mfa'] });
    expect((await key.credentials())[0]!.isResidentCredential).toBe(true);

    // Another browser (no Keystep session) with the same passkey.
    const tab = await newTab();
    const passkey = await carryCredentials(key, tab, 'platform-passkey');
    const auth = await authorize(tab);
    await tab.page.waitForSelector('form[data-webauthn="passkey"]');
    expect((await tab.page.textContent('#passkey-form #webauthn-start'))?.trim()).toBe('Sign in with a passkey');
    const signedIn = await runCeremony(tab.page, /\/passkey$/);
    expect(signedIn.status()).toBe(303);
    const { id: passkeyId } = await tokensFor(rp.config, await finishAtClient(tab), auth);
    expect(tab.posts.filter((p) => p.endsWith('/login'))).toEqual([]); // no password was sent
    expect(passkeyId.sub).toBe(account.userId);
    expect(passkeyId.amr).toEqual(['hwk', 'user', 'mfa']);
    expect(passkeyId.amr).not.toContain('pwd');
    // At least aal2; a device-bound (singleDevice) passkey reaches phrh.
    expect(passkeyId.acr).toBe('phrh');

    const [success] = await ks.store.audit.list({ userId: account.userId, event: 'user.login_succeeded' });
    expect(success).toMatchObject({ factor: 'webauthn', details: { method: 'passkey' } });
    const factor = (await webauthnFactors(account.userId))[0]!;
    expect(factor.data).toMatchObject({ credential_id: credentialId, counter: (await passkey.credentials())[0]!.signCount });

    // Passkey autofill (conditional mediation, webauthn.js's other path): Chromium's virtual
    // authenticator answers the conditional request as soon as the login page asks, no click.
    const autofill = await newTab({ autofill: true });
    await carryCredentials(passkey, autofill, 'platform-passkey'); // the copy with the latest counter
    const third = await authorize(autofill);
    const { id: autofillId } = await tokensFor(rp.config, await finishAtClient(autofill), third);
    expect(autofillId).toMatchObject({ sub: account.userId, acr: 'phrh', amr: ['hwk', 'user', 'mfa'] });
    expect(autofill.posts.filter((p) => /\/(login|passkey)$/.test(p)).map((p) => p.split('/').pop())).toEqual(['passkey']);
  }, 30_000);

  test('user verification failing: the passwordless sign-in cannot succeed, and the page says so', async () => {
    const { account, key } = await enrolAtSignIn('platform-passkey');
    const tab = await newTab();
    const passkey = await carryCredentials(key, tab, 'platform-passkey');
    const counter = (await webauthnFactors(account.userId))[0]!.data.counter;

    // The authenticator cannot verify the user: the browser refuses (UV is required).
    await passkey.setUserVerified(false);
    await authorize(tab);
    await tab.page.waitForSelector('form[data-webauthn="passkey"]');
    await tab.page.click('#webauthn-start');
    const error = tab.page.locator('#webauthn-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toBe('The request was cancelled or timed out. Try again.');
    expect(tab.posts).toEqual([]); // nothing was sent to Keystep
    expect(new URL(tab.page.url()).pathname).toMatch(/^\/interaction\/[^/]+$/);

    // An authenticator that answers without the UV flag: Keystep itself refuses (401).
    await passkey.setUserVerified(true);
    await passkey.session.send('WebAuthn.setResponseOverrideBits', { authenticatorId: passkey.authenticatorId, isBadUV: true });
    const refused = await runCeremony(tab.page, /\/passkey$/);
    expect(refused.status()).toBe(401);
    await tab.page.waitForSelector('#login-error');
    expect(await tab.page.locator('#login-error').textContent()).toBe('That passkey could not sign you in.');
    expect(await tab.page.locator('#password').count()).toBe(1); // still on the login page

    expect(tab.rpHits).toEqual([]); // no code (and no error) reached the client
    const [failed] = await ks.store.audit.list({ userId: account.userId, event: 'user.login_failed' });
    expect(failed).toMatchObject({ factor: 'webauthn', details: { method: 'passkey', reason: 'invalid' } });
    // The stored counter did not move and the credential is not flagged.
    const factor = (await webauthnFactors(account.userId))[0]!;
    expect(factor.data.counter).toBe(counter);
    expect(factor.data.clone_suspected).toBeUndefined();
  }, 30_000);

  test('a signature counter going backwards: refused as cloned, audited, and the credential stays blocked', async () => {
    const { account, tab, key, credentialId, factorId } = await enrolAtSignIn('usb-security-key');
    const registeredAt = (await key.credentials())[0]!.signCount;

    // One good sign-in with the key (a new login in the same browser).
    const good = await authorize(tab, { prompt: 'login' });
    await submitPassword(tab.page, account);
    await tab.page.waitForSelector('form[data-webauthn="authenticate"]');
    expect((await runCeremony(tab.page, /\/mfa\/verify$/)).status()).toBe(303);
    expect((await tokensFor(rp.config, await finishAtClient(tab), good)).id).toMatchObject({ acr: 'phrh', amr: ['pwd', 'hwk', 'mfa'] });
    const seen = (await ks.store.mfaFactors.find(factorId))!.data.counter as number;
    expect(seen).toBeGreaterThan(registeredAt);

    // A copy of the key from before that sign-in: its counter is behind what Keystep saw.
    expect(await key.rewindSignCount(credentialId, registeredAt)).toEqual({ from: seen, to: registeredAt });
    const hits = tab.rpHits.length;
    await authorize(tab, { prompt: 'login' });
    await submitPassword(tab.page, account);
    await tab.page.waitForSelector('form[data-webauthn="authenticate"]');
    const refused = await runCeremony(tab.page, /\/mfa\/verify$/);
    expect(refused.status()).toBe(401);
    const refusal = await tab.page.locator('p.error[role=alert]').first().textContent(); // checked last, below
    expect(tab.rpHits).toHaveLength(hits);

    const [audited, ...more] = await ks.store.audit.list({ userId: account.userId, event: 'mfa.webauthn_clone_suspected' });
    expect(more).toEqual([]);
    expect(audited).toMatchObject({ factor: 'webauthn', details: { factor_id: factorId, credential_id: credentialId } });
    const flagged = (await ks.store.mfaFactors.find(factorId))!;
    expect(flagged.data).toMatchObject({ clone_suspected: true, counter: seen });

    // A further attempt, where the key now reports a counter above the stored one (which alone
    // would pass): if the refusal page offers the key again, using it is refused too.
    expect((await key.credentials())[0]!.signCount).toBe(seen);
    if ((await tab.page.locator('form[data-webauthn="authenticate"]').count()) === 1) {
      const retried = await runCeremony(tab.page, /\/mfa\/verify$/);
      expect(retried.status()).toBeGreaterThanOrEqual(400);
      expect((await key.credentials())[0]!.signCount).toBeGreaterThan(seen);
    }
    // A fresh sign-in no longer offers the flagged key.
    await authorize(tab, { prompt: 'login' });
    await submitPassword(tab.page, account);
    expect(new URL(tab.page.url()).pathname).toMatch(/^\/interaction\//);
    expect(await tab.page.locator('form[data-webauthn="authenticate"]').count()).toBe(0);
    expect(tab.rpHits).toHaveLength(hits);
    expect((await ks.store.mfaFactors.find(factorId))!.data).toMatchObject({ clone_suspected: true, counter: seen });
    expect(await ks.store.audit.list({ userId: account.userId, event: 'mfa.webauthn_clone_suspected' })).toHaveLength(1);

    // The refusal told the user why (the same words the passkey sign-in uses).
    expect(refusal).toMatch(CLONED);
  }, 40_000);

  test('step-up from aal2 (TOTP) to phr: the missing phishing-resistant factor is enrolled → phrh with step_up', async () => {
    const user = await createTotpUser(ks, 'optional');
    const tab = await newTab();
    const key = await addVirtualAuthenticator(tab.page, 'usb-security-key');

    // Password + TOTP code: aal2.
    const first = await authorize(tab);
    await submitPassword(tab.page, user);
    await tab.page.waitForSelector('form[action$="/mfa/verify"] #code');
    await tab.page.fill('#code', await nextTotpCode(ks, user));
    await tab.page.click('form[action$="/mfa/verify"] button[type=submit]');
    const { id: id1 } = await tokensFor(rp.config, await finishAtClient(tab), first);
    expect(id1).toMatchObject({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'] });
    expect(id1.step_up).toBeUndefined();

    // acr_values=phr: TOTP cannot meet it, so Keystep asks the user to add a security key.
    const second = await authorize(tab, { acr_values: 'phr' });
    const setUp = tab.page.locator('a[href*="/mfa/enrol?kind="]');
    await setUp.first().waitFor();
    expect(await setUp.count()).toBe(1);
    expect(await setUp.getAttribute('href')).toMatch(/\/mfa\/enrol\?kind=webauthn$/);
    expect(await tab.page.locator('form[action$="/mfa/skip"]').count()).toBe(0); // a level was asked for: no skipping
    expect(await tab.page.locator('#password').count()).toBe(0); // the session's password stands
    await setUp.click();
    await tab.page.waitForSelector('form[data-webauthn="register"]');
    expect(await tab.page.locator('form[action$="/mfa/skip"]').count()).toBe(0);
    expect((await runCeremony(tab.page, /\/mfa\/enrol$/)).status()).toBe(303); // backup codes exist already
    const { id: id2 } = await tokensFor(rp.config, await finishAtClient(tab), second);
    expect(id2).toMatchObject({ acr: 'phrh', amr: ['pwd', 'hwk', 'mfa'], step_up: true });
    expect(id2.sub).toBe(user.userId);

    const factors = await webauthnFactors(user.userId);
    expect(factors).toHaveLength(1);
    expect(factors[0]!.data).toMatchObject({ credential_id: (await key.credentials())[0]!.id });
    expect((await ks.store.mfaFactors.listForUser(user.userId)).map((f) => f.kind).sort()).toEqual(['totp', 'webauthn']);
  }, 30_000);
});
