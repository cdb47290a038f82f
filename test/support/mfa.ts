// Second-factor helpers for end-to-end tests: reading the enrolment page, computing TOTP codes.
import { totpCode } from '../../src/factors/totp/totp-codes.js';
import type { Browser, Page } from './browser.js';
import { expectPage } from './browser.js';

/** The base32 secret shown for manual entry on the TOTP enrolment page. */
export function secretFromEnrolPage(page: Page): string {
  const text = page.doc.querySelector('code.secret')?.text;
  if (!text) throw new Error(`no secret on ${page.url}:\n${page.html.slice(0, 1500)}`);
  return text.replace(/\s+/g, '');
}

/** The code an authenticator app shows `stepOffset` time steps from now. */
export function codeAt(secret: string, stepOffset = 0): Promise<string> {
  return totpCode(secret, Math.floor(Date.now() / 1000) + stepOffset * 30);
}

export function backupCodesFromPage(page: Page): string[] {
  return page.doc.querySelectorAll('#backup-codes code').map((c) => c.text.trim());
}

/** From the offer page: open enrolment, enter the current code; returns the backup codes page. */
export async function enrolTotp(browser: Browser, offer: Page, stepOffset = 0): Promise<{ secret: string; codesPage: Page }> {
  const link = offer.doc.querySelector('a[href$="/mfa/enrol?kind=totp"]');
  if (!link) throw new Error(`no enrolment link on ${offer.url}:\n${offer.html.slice(0, 1500)}`);
  const enrol = await browser.page(new URL(link.getAttribute('href')!, offer.url).href);
  const secret = secretFromEnrolPage(enrol);
  const codesPage = expectPage(await browser.submit(enrol, 'form[action$="/mfa/enrol"]', { code: await codeAt(secret, stepOffset), name: 'Phone' }));
  return { secret, codesPage };
}
