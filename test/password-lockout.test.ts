// End to end: password lockout against a running Keystep. The account limit holds under 50
// parallel guesses, a locked account refuses even the right password, unknown emails look like
// wrong passwords, the per-IP limit applies across accounts, and a success starts a fresh count.
// Runs against PGlite, and against PostgreSQL when TEST_DATABASE_URL is set.
import { startTestKeystep, type TestKeystep } from './support/keystep.js';
import { Browser, type Page } from './support/browser.js';
import { authorizationRequest, createTestUser, registerClient, signIn, submitLogin } from './support/oidc.js';
import { storeKinds } from './support/databases.js';
import { accountCounterKey } from '../src/account/password-login.js';

const MESSAGES = {
  invalid_credentials: 'The email address or password is incorrect.',
  locked: 'Too many failed attempts. Sign-in is paused for this account; try again later.',
};

interface Outcome {
  status: number;
  /** The login page's error message, when the login page came back. */
  error?: string;
  /** The login was accepted: the browser moved on (consent page or back to the client). */
  signedIn: boolean;
  page?: Page;
}

type Rp = Awaited<ReturnType<typeof registerClient>>;

/** A new browser that has started an authorization request and sits on the login page. */
async function loginPage(ks: TestKeystep, rp: Rp): Promise<{ browser: Browser; page: Page }> {
  const browser = new Browser(ks.issuer);
  const page = await browser.page((await authorizationRequest(rp.config)).url.href);
  if (page.status !== 200 || !page.doc.querySelector('form[action$="/login"]')) {
    throw new Error(`no login page at ${page.url} (${page.status}):\n${page.html.slice(0, 1000)}`);
  }
  return { browser, page };
}

async function submit(browser: Browser, page: Page, email: string, password: string): Promise<Outcome> {
  const r = await submitLogin(browser, page, email, password);
  if ('leftTo' in r) return { status: 303, signedIn: true };
  const onLoginPage = !!r.doc.querySelector('form[action$="/login"]');
  return {
    status: r.status,
    error: r.doc.querySelector('#login-error')?.text.trim(),
    signedIn: r.status === 200 && !onLoginPage && !!r.doc.querySelector('form[action$="/confirm"]'),
    page: r,
  };
}

/** One login attempt from a fresh browser. */
async function attempt(ks: TestKeystep, rp: Rp, email: string, password: string): Promise<Outcome> {
  const { browser, page } = await loginPage(ks, rp);
  return submit(browser, page, email, password);
}

const countBy = <T>(items: T[], key: (t: T) => string | number) =>
  items.reduce<Record<string, number>>((acc, t) => {
    const k = String(key(t));
    acc[k] = (acc[k] ?? 0) + 1;
    return acc;
  }, {});

describe.each(storeKinds)('password lockout (%s store)', (kind) => {
  describe('per account (limit 5)', () => {
    let ks: TestKeystep;
    let rp: Rp;

    beforeAll(async () => {
      ks = await startTestKeystep({
        store: kind,
        env: { KEYSTEP_LOGIN_MAX_FAILURES: '5', KEYSTEP_LOGIN_MAX_ATTEMPTS_PER_IP: '100000' },
      });
      rp = await registerClient(ks);
    });
    afterAll(async () => ks?.stop());

    test('50 parallel wrong passwords: exactly 5 are checked (401), the other 45 are locked out (429)', async () => {
      const victim = await createTestUser(ks);
      // Every guess from its own browser, with its own interaction and CSRF cookie, all prepared first.
      const prepared = await Promise.all(Array.from({ length: 50 }, () => loginPage(ks, rp)));
      const outcomes = await Promise.all(prepared.map(({ browser, page }, i) => submit(browser, page, victim.email, `wrong password ${i}`)));

      expect(countBy(outcomes, (o) => o.status)).toEqual({ 401: 5, 429: 45 });
      for (const o of outcomes) {
        expect(o.signedIn).toBe(false);
        expect(o.error).toBe(o.status === 401 ? MESSAGES.invalid_credentials : MESSAGES.locked);
      }

      // Only the 5 attempts within the limit reached the password check.
      const failed = await ks.store.audit.list({ userId: victim.user.id, event: 'user.login_failed' });
      const locked = await ks.store.audit.list({ userId: victim.user.id, event: 'user.login_locked' });
      expect(failed).toHaveLength(5);
      expect(locked).toHaveLength(45);
      expect(locked.every((e) => e.details.scope === 'account')).toBe(true);
      expect(await ks.store.attempts.peek(accountCounterKey(victim.email))).toBe(50);

      // Afterwards even the right password is refused: the login page again, no redirect.
      const right = await attempt(ks, rp, victim.email, victim.password);
      expect(right).toMatchObject({ status: 429, signedIn: false, error: MESSAGES.locked });
      expect(right.page?.doc.querySelector('form[action$="/login"]')).toBeTruthy();
      expect(await ks.store.audit.list({ userId: victim.user.id, event: 'user.login_succeeded' })).toHaveLength(0);

      // Differently written, the same account: still locked.
      expect(await attempt(ks, rp, `  ${victim.email.toUpperCase()} `, victim.password)).toMatchObject({ status: 429, signedIn: false });

      // A different account is not affected by the first one's lockout.
      const bystander = await createTestUser(ks);
      expect(await attempt(ks, rp, bystander.email, 'not the password')).toMatchObject({ status: 401, error: MESSAGES.invalid_credentials });
      const callback = await signIn(new Browser(ks.issuer), await authorizationRequest(rp.config), bystander);
      expect(callback.searchParams.get('code')).toBeTruthy();
    }, 30_000);

    test('an unknown email gets the same answer as a known email with a wrong password', async () => {
      const known = await createTestUser(ks);
      const unknownEmail = `nobody-${Math.random().toString(36).slice(2, 10)}@example.test`;
      const wrong = await attempt(ks, rp, known.email, 'not the password');
      const unknown = await attempt(ks, rp, unknownEmail, 'not the password');
      expect(wrong).toMatchObject({ status: 401, signedIn: false, error: MESSAGES.invalid_credentials });
      expect(unknown).toMatchObject({ status: wrong.status, signedIn: false, error: wrong.error });
      // The pages differ only in the echoed email, the interaction and the CSRF token.
      const normalise = (o: Outcome, email: string) =>
        o.page!.html
          .replaceAll(email, 'EMAIL')
          .replace(/\/interaction\/[^/"]+/g, '/interaction/UID')
          .replace(/name="_csrf" value="[^"]*"/g, '')
          // each page carries a fresh single-use passkey challenge
          .replace(/data-options="[^"]*"/g, '');
      expect(normalise(unknown, unknownEmail)).toBe(normalise(wrong, known.email));

      // Unknown emails are locked out like known ones (the count does not reveal existence either).
      // (One attempt above; four more within the limit, then the 6th is refused.)
      for (let i = 2; i <= 5; i++) expect((await attempt(ks, rp, unknownEmail, `guess ${i}`)).status).toBe(401);
      expect(await attempt(ks, rp, unknownEmail, 'guess 6')).toMatchObject({ status: 429, error: MESSAGES.locked });
    });

    test('a successful login resets the account failure count', async () => {
      const account = await createTestUser(ks);
      // One browser, resubmitting the re-rendered login page as a person would.
      let { browser, page } = await loginPage(ks, rp);
      for (let i = 0; i < 4; i++) {
        const o = await submit(browser, page, account.email, `wrong ${i}`);
        expect(o).toMatchObject({ status: 401, error: MESSAGES.invalid_credentials });
        page = o.page!;
      }
      // The 5th attempt (within the limit) is the right password.
      expect(await submit(browser, page, account.email, account.password)).toMatchObject({ signedIn: true });
      expect(await ks.store.attempts.peek(accountCounterKey(account.email))).toBe(0);

      // A fresh count: 5 more failures are checked, the 6th is locked out.
      ({ browser, page } = await loginPage(ks, rp));
      for (let i = 0; i < 5; i++) {
        const o = await submit(browser, page, account.email, `wrong again ${i}`);
        expect(o).toMatchObject({ status: 401, error: MESSAGES.invalid_credentials });
        page = o.page!;
      }
      expect(await submit(browser, page, account.email, account.password)).toMatchObject({ status: 429, signedIn: false, error: MESSAGES.locked });
    });
  });

  describe('per client IP (limit 3)', () => {
    let ks: TestKeystep;
    let rp: Rp;

    beforeAll(async () => {
      ks = await startTestKeystep({
        store: kind,
        env: { KEYSTEP_LOGIN_MAX_FAILURES: '100', KEYSTEP_LOGIN_MAX_ATTEMPTS_PER_IP: '3' },
      });
      rp = await registerClient(ks);
    });
    afterAll(async () => ks?.stop());

    test('the 4th attempt from the same IP is refused, whatever the email', async () => {
      const accounts = await Promise.all([createTestUser(ks), createTestUser(ks), createTestUser(ks), createTestUser(ks)]);
      // Every test request comes from 127.0.0.1 (or ::1).
      const statuses = [];
      for (const a of accounts.slice(0, 3)) statuses.push((await attempt(ks, rp, a.email, 'not the password')).status);
      expect(statuses).toEqual([401, 401, 401]);
      const fourth = await attempt(ks, rp, accounts[3]!.email, 'not the password');
      expect(fourth).toMatchObject({ status: 429, signedIn: false, error: MESSAGES.locked });
      // The right password of an untouched account is refused too, as is an unknown email.
      expect(await attempt(ks, rp, accounts[3]!.email, accounts[3]!.password)).toMatchObject({ status: 429, signedIn: false });
      expect((await attempt(ks, rp, 'nobody@example.test', 'x-password')).status).toBe(429);

      const locked = await ks.store.audit.list({ event: 'user.login_locked' });
      expect(locked).toHaveLength(3);
      expect(locked.every((e) => e.details.scope === 'ip')).toBe(true);
    });
  });
});
