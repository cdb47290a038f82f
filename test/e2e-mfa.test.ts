// End to end: the MFA step of sign-in, with a real OIDC client against a running Keystep.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTestKeystep, type TestKeystep } from './support/keystep.js';
import { storeKinds } from './support/databases.js';
import { Browser, expectLeft, expectPage, type Page } from './support/browser.js';
import { authorizationRequest, createTestUser, exchangeCode, registerClient, submitLogin } from './support/oidc.js';
import { backupCodesFromPage, codeAt, enrolTotp } from './support/mfa.js';

type Rp = Awaited<ReturnType<typeof registerClient>>;

/** Starts an authorization in a new browser and submits the password; returns the next page. */
async function passwordStep(ks: TestKeystep, rp: Rp, creds: { email: string; password: string }, params: Record<string, string> = {}) {
  const browser = new Browser(ks.issuer);
  const auth = await authorizationRequest(rp.config, params);
  const login = expectPage(await browser.navigate(auth.url.href));
  const next = await submitLogin(browser, login, creds.email, creds.password);
  return { browser, auth, next };
}

/** Clicks through consent (if shown) and exchanges the code. */
async function finish(ks: TestKeystep, rp: Rp, browser: Browser, auth: Awaited<ReturnType<typeof authorizationRequest>>, r: Page | { leftTo: string }) {
  if (!('leftTo' in r) && r.doc.querySelector('form[action$="/confirm"]')) r = await browser.submit(r, 'form[action$="/confirm"]');
  const tokens = await exchangeCode(rp.config, new URL(expectLeft(r)), auth);
  const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${ks.issuer}/jwks`)), { issuer: ks.issuer, audience: rp.clientId });
  return payload;
}

const isChallenge = (p: Page) => Boolean(p.doc.querySelector('form[action$="/mfa/verify"]'));

describe.each(storeKinds)('MFA sign-in on %s', (kind) => {
  let ks: TestKeystep;
  let rp: Rp;

  beforeAll(async () => {
    ks = await startTestKeystep({ store: kind, env: { KEYSTEP_MFA_MAX_FAILURES: '10', KEYSTEP_LOGIN_MAX_FAILURES: '100' } });
    rp = await registerClient(ks);
  });
  afterAll(async () => ks?.stop());

  test('required mode: password → TOTP enrolment → backup codes → consent → aal2 tokens; then the code is asked, once', async () => {
    const account = await createTestUser(ks, { mfa: 'required' });
    const first = await passwordStep(ks, rp, account);
    const offer = expectPage(first.next);
    expect(offer.html).toContain('Set up two-step verification');
    expect(offer.doc.querySelector('form[action$="/mfa/skip"]')).toBeNull(); // required, no grace: no skip

    const { secret, codesPage } = await enrolTotp(first.browser, offer);
    const codes = backupCodesFromPage(codesPage);
    expect(codes).toHaveLength(10);
    codes.forEach((c) => expect(c).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/));
    expect(codesPage.doc.querySelector('a[download="keystep-backup-codes.txt"]')).toBeTruthy();

    const afterCodes = await first.browser.submit(codesPage, 'form[action$="/mfa/continue"]');
    const id1 = await finish(ks, rp, first.browser, first.auth, afterCodes);
    expect(id1.acr).toBe('aal2');
    expect(id1.amr).toEqual(['pwd', 'otp', 'mfa']);

    // The stored secret is sealed, not the base32 secret.
    const [factor] = await ks.store.mfaFactors.listForUser(account.user.id);
    expect(factor!.secretEncrypted).toBeTruthy();
    expect(factor!.secretEncrypted).not.toContain(secret);
    expect(factor!.name).toBe('Phone');

    // Second sign-in (new browser): the code is asked. The enrolment code's step is spent, so use the next one.
    const second = await passwordStep(ks, rp, account);
    const challenge = expectPage(second.next);
    expect(isChallenge(challenge)).toBe(true);
    const nextCode = await codeAt(secret, 1);
    const id2 = await finish(ks, rp, second.browser, second.auth, await second.browser.submit(challenge, 'form[action$="/mfa/verify"]', { code: nextCode }));
    expect(id2).toMatchObject({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'] });

    // The same code again (replay) is refused and logged.
    const third = await passwordStep(ks, rp, account);
    const replay = expectPage(await third.browser.submit(expectPage(third.next), 'form[action$="/mfa/verify"]', { code: nextCode }));
    expect(replay.status).toBe(401);
    expect(replay.html).toContain('already been used');
    const failures = await ks.store.audit.list({ userId: account.user.id, event: 'user.mfa_failed' });
    expect(failures.some((e) => e.details.reason === 'replay')).toBe(true);

    // A backup code works once; the user is told how many remain.
    const fourth = await passwordStep(ks, rp, account);
    const backupPage = await fourth.browser.page(`${expectPage(fourth.next).url}?factor=backup_code`);
    expect(backupPage.doc.querySelector('input[name=factor][value=backup_code]')).toBeTruthy();
    const used = expectPage(await fourth.browser.submit(backupPage, 'form[action$="/mfa/verify"]', { code: codes[0]!.toUpperCase() }));
    expect(used.html).toMatch(/<strong>9<\/strong> backup codes left/);
    const id4 = await finish(ks, rp, fourth.browser, fourth.auth, await fourth.browser.submit(used, 'form[action$="/mfa/continue"]'));
    expect(id4).toMatchObject({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'] });

    const fifth = await passwordStep(ks, rp, account);
    const again = await fifth.browser.page(`${expectPage(fifth.next).url}?factor=backup_code`);
    const reused = expectPage(await fifth.browser.submit(again, 'form[action$="/mfa/verify"]', { code: codes[0]! }));
    expect(reused.status).toBe(401);
    expect(await ks.store.backupCodes.countRemaining(account.user.id)).toBe(9);

    const events = (await ks.store.audit.list({ userId: account.user.id })).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['mfa.factor_enrolled', 'mfa.backup_codes_regenerated', 'user.mfa_succeeded', 'user.mfa_failed']));
  });

  test('optional mode offers enrolment with a skip; the skipped login is aal1 [pwd]', async () => {
    const account = await createTestUser(ks, { mfa: 'optional' });
    const { browser, auth, next } = await passwordStep(ks, rp, account);
    const offer = expectPage(next);
    expect(offer.html).toContain('Protect your account');
    const id = await finish(ks, rp, browser, auth, await browser.submit(offer, 'form[action$="/mfa/skip"]'));
    expect(id).toMatchObject({ acr: 'aal1', amr: ['pwd'] });
    expect((await ks.store.audit.list({ userId: account.user.id, event: 'user.mfa_enrolment_skipped' })).length).toBe(1);
  });

  test('off mode has no MFA step', async () => {
    const account = await createTestUser(ks, { mfa: 'off' });
    const { browser, auth, next } = await passwordStep(ks, rp, account);
    const page = expectPage(next);
    expect(page.doc.querySelector('form[action$="/confirm"]')).toBeTruthy();
    expect(await finish(ks, rp, browser, auth, page)).toMatchObject({ acr: 'aal1', amr: ['pwd'] });
  });

  test('required mode with a grace period: a new user may skip and is told until when', async () => {
    const account = await createTestUser(ks, { mfa: 'required' });
    await ks.store.organisations.setMfa(account.org, { mode: 'required', graceDays: 7 });
    const { browser, auth, next } = await passwordStep(ks, rp, account);
    const offer = expectPage(next);
    expect(offer.html).toContain('You can skip this until');
    const id = await finish(ks, rp, browser, auth, await browser.submit(offer, 'form[action$="/mfa/skip"]'));
    expect(id).toMatchObject({ acr: 'aal1', amr: ['pwd'] });
  });

  test('required mode cannot be skipped by posting the skip form anyway', async () => {
    const account = await createTestUser(ks, { mfa: 'required' });
    const { browser, next } = await passwordStep(ks, rp, account);
    const offer = expectPage(next);
    const csrf = offer.doc.querySelector('a[href$="/mfa/enrol?kind=totp"]') ? (await browser.page(`${offer.url}/mfa/enrol?kind=totp`)).doc.querySelector('input[name=_csrf]')!.getAttribute('value')! : '';
    const skipped = expectPage(await browser.navigate(`${offer.url}/mfa/skip`, { form: { _csrf: csrf } }));
    expect(skipped.status).toBe(400);
    expect(skipped.html).toContain('cannot be skipped');
  });

  test('50 parallel wrong codes: at most 10 are checked, then the factor locks (even for the right code)', async () => {
    const account = await createTestUser(ks, { mfa: 'required' });
    const first = await passwordStep(ks, rp, account);
    const { secret, codesPage } = await enrolTotp(first.browser, expectPage(first.next));
    await finish(ks, rp, first.browser, first.auth, await first.browser.submit(codesPage, 'form[action$="/mfa/continue"]'));

    const { browser, next } = await passwordStep(ks, rp, account);
    const challenge = expectPage(next);
    const right = await codeAt(secret, 1);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    const results = await Promise.all(
      Array.from({ length: 50 }, () => browser.submit(challenge, 'form[action$="/mfa/verify"]', { code: wrong }).then(expectPage)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(9);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(41);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    const checked = await ks.store.audit.list({ userId: account.user.id, event: 'user.mfa_failed', limit: 200 });
    expect(checked.filter((e) => e.details.reason === 'invalid').length).toBeLessThanOrEqual(10);

    const refused = expectPage(await browser.submit(challenge, 'form[action$="/mfa/verify"]', { code: right }));
    expect(refused.status).toBe(429);
    expect(refused.html).toContain('Too many wrong codes');
    const lock = await ks.store.factorLockouts.get(account.user.id, 'totp');
    expect(lock!.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
  });

  test('20 parallel uses of one backup code: exactly one succeeds', async () => {
    const account = await createTestUser(ks, { mfa: 'required' });
    const first = await passwordStep(ks, rp, account);
    const { codesPage } = await enrolTotp(first.browser, expectPage(first.next));
    const code = backupCodesFromPage(codesPage)[3]!;
    await finish(ks, rp, first.browser, first.auth, await first.browser.submit(codesPage, 'form[action$="/mfa/continue"]'));

    const pages: Array<{ browser: Browser; page: Page }> = [];
    for (let i = 0; i < 20; i++) {
      const s = await passwordStep(ks, rp, account);
      pages.push({ browser: s.browser, page: await s.browser.page(`${expectPage(s.next).url}?factor=backup_code`) });
    }
    const results = await Promise.all(pages.map(({ browser, page }) => browser.submit(page, 'form[action$="/mfa/verify"]', { code }).then(expectPage)));
    const statuses = results.map((r) => r.status);
    expect(results.filter((r) => r.status === 200 && r.html.includes('Backup code accepted')).length).toBe(1);
    // The rest are refused: wrong (401), or over the per-factor attempt limit (429).
    expect(results.filter((r) => r.status !== 401 && r.status !== 429 && !r.html.includes("Backup code accepted")).map((r) => `${r.status} ${r.html.slice(0, 900)}`)).toEqual([]);
    expect(statuses.filter((s) => s === 401 || s === 429).length).toBe(19);
    expect(await ks.store.backupCodes.countRemaining(account.user.id)).toBe(9);
  });
});
