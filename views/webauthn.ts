// WebAuthn pages: registering a security key or passkey. The ceremony runs in the browser
// (/assets/webauthn.js with SimpleWebAuthn's browser bundle, served from our own origin).
import { html } from './html.js';
import { page, csrfField } from './layout.js';

export const WEBAUTHN_SCRIPTS = ['/assets/simplewebauthn-browser.js', '/assets/webauthn.js'];

export function webauthnEnrolPage(v: {
  uid: string;
  csrfToken: string;
  factorId: string;
  optionsJSON: unknown;
  skippableUntil?: Date;
  /** Optional (a passkey offered after sign-in): "Not now" finishes the sign-in. */
  optional?: boolean;
  error?: string;
}): string {
  return page(
    'Add a security key or passkey',
    html`<h1>Add a security key or passkey</h1>
${v.error ? html`<p class="error" role="alert">${v.error}</p>` : ''}
<p>Use a security key (USB, NFC) or this device's passkey (fingerprint, face or screen lock).</p>
<form method="post" action="/interaction/${v.uid}/mfa/enrol" id="webauthn-form" data-webauthn="register" data-options="${JSON.stringify(v.optionsJSON)}">
${csrfField(v.csrfToken)}
<input type="hidden" name="factor_id" value="${v.factorId}">
<input type="hidden" name="code" value="">
<label for="name">Name this key or device</label>
<input id="name" name="name" type="text" value="Security key" maxlength="64">
<button type="button" id="webauthn-start">Register security key or device</button>
<p class="error" role="alert" id="webauthn-error" hidden></p>
</form>
${v.skippableUntil ? html`<form method="post" action="/interaction/${v.uid}/mfa/skip">${csrfField(v.csrfToken)}<button type="submit" class="secondary">Skip for now</button></form>` : ''}
${v.optional ? html`<form method="post" action="/interaction/${v.uid}/mfa/continue">${csrfField(v.csrfToken)}<button type="submit" class="secondary">Not now</button></form>` : ''}`,
    { scripts: WEBAUTHN_SCRIPTS },
  );
}

/** After a password and a code: "sign in faster next time". */
export function passkeyOfferPage(v: { uid: string; csrfToken: string }): string {
  return page(
    'Add a passkey',
    html`<h1>Sign in faster next time</h1>
<p>Add a passkey or security key: next time you can sign in with your fingerprint, face, screen
lock or key, without a password or a code, and it cannot be phished.</p>
<p><a class="button" href="/interaction/${v.uid}/mfa/passkey">Add a passkey</a></p>
<form method="post" action="/interaction/${v.uid}/mfa/continue" id="passkey-offer-continue">
${csrfField(v.csrfToken)}
<button type="submit" class="secondary">Not now</button>
</form>`,
  );
}
