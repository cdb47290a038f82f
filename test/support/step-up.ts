// Step-up helpers for end-to-end tests: users with TOTP enrolled directly (no browser), TOTP
// codes on Keystep's (movable) policy clock, and walking a browser back to the client.
import { decodeJwt } from 'jose';
import type { TestKeystep } from './keystep.js';
import { createTestUser, exchangeCode, type StartedAuthorization } from './oidc.js';
import { Browser, expectLeft, expectPage, type Page } from './browser.js';
import type * as oidc from 'openid-client';
import { confirmEnrolment, startEnrolment } from '../../src/factors/enrolment.js';
import { totpCode } from '../../src/factors/totp/totp-codes.js';

export interface TotpUser {
  email: string;
  password: string;
  org: string;
  userId: string;
  secret: string;
  /** The last TOTP time step used (a step is accepted once per authenticator). */
  lastStep: number;
}

const stepOf = (ks: TestKeystep) => Math.floor(ks.now().getTime() / 1000 / 30);

/** A user in an organisation with the given MFA mode who has confirmed TOTP (and has backup codes). */
export async function createTotpUser(ks: TestKeystep, mfa: 'off' | 'optional' | 'required'): Promise<TotpUser> {
  const account = await createTestUser(ks, { mfa });
  const start = await startEnrolment(ks.keystep.services.factors, account.user, 'totp');
  if (start.type !== 'shared-secret') throw new Error('expected a TOTP enrolment');
  const secret = start.secretGroups.join('');
  const step = stepOf(ks);
  const done = await confirmEnrolment(ks.keystep.services.factors, account.user, 'totp', { factorId: start.factorId, response: await totpCode(secret, step * 30) }, {
    ip: null,
    userAgent: 'test',
    clientId: null,
  });
  if (!done.ok) throw new Error('TOTP enrolment was not confirmed');
  return { email: account.email, password: account.password, org: account.org, userId: account.user.id, secret, lastStep: step };
}

/**
 * A code the server accepts now (on Keystep's clock): the current step, or a later one if the
 * current step was already used; moves Keystep's clock by 30 s when no step in the window is left.
 */
export async function nextTotpCode(ks: TestKeystep, u: TotpUser): Promise<string> {
  let current = stepOf(ks);
  let step = Math.max(u.lastStep + 1, current);
  if (step > current + 1) {
    ks.advanceClock(30 * (step - current - 1));
    current = stepOf(ks);
    step = Math.max(u.lastStep + 1, current);
  }
  u.lastStep = step;
  return totpCode(u.secret, step * 30);
}

export const hasLoginForm = (page: Page) => page.doc.querySelector('form[action$="/login"]') !== null;
export const hasChallengeForm = (page: Page) => page.doc.querySelector('form[action$="/mfa/verify"]') !== null;

/**
 * Submits the challenge form with a code, leaving "Trust this device" unchecked (the test
 * Browser sends every input that has a value attribute, checkboxes included).
 */
export function submitCode(browser: Browser, page: Page, code: string): Promise<Page | { leftTo: string }> {
  return browser.submit(page, 'form[action$="/mfa/verify"]', { code, trust_device: '' });
}

/** Submits consent pages (if any) until the browser leaves for the client. */
export async function continueToClient(browser: Browser, r: Page | { leftTo: string }): Promise<URL> {
  for (let i = 0; i < 3 && !('leftTo' in r); i++) {
    const page = expectPage(r);
    if (!page.doc.querySelector('form[action$="/confirm"]')) break;
    r = await browser.submit(page, 'form[action$="/confirm"]');
  }
  return new URL(expectLeft(r));
}

/** The callback URL carries a code (and no error). */
export function expectCode(callback: URL): URL {
  if (!callback.searchParams.get('code')) throw new Error(`expected a code at the callback, got ${callback.href}`);
  return callback;
}

export type IdClaims = ReturnType<typeof decodeJwt> & { acr?: string; amr?: string[]; auth_time?: number; step_up?: boolean };

/** Exchanges the code; returns the decoded ID token claims and the raw tokens. */
export async function tokensFor(config: oidc.Configuration, callback: URL, auth: StartedAuthorization, params: Record<string, string> = {}) {
  const tokens = await exchangeCode(config, expectCode(callback), auth, params);
  return { tokens, id: decodeJwt(tokens.id_token!) as IdClaims };
}
