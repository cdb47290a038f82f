import { html } from './html.js';
import { page, csrfField } from './layout.js';
import { WEBAUTHN_SCRIPTS } from './webauthn.js';

export interface LoginView {
  uid: string;
  csrfToken: string;
  clientName: string;
  email?: string;
  /** Options for passwordless sign-in with a passkey. */
  passkeyOptions: unknown;
  error?: string;
}

export function loginPage(v: LoginView): string {
  return page(
    'Sign in',
    html`<h1>Sign in</h1>
<p>to continue to <strong>${v.clientName}</strong></p>
${v.error ? html`<p class="error" role="alert" id="login-error">${v.error}</p>` : ''}
<form method="post" action="/interaction/${v.uid}/login" novalidate>
${csrfField(v.csrfToken)}
<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="username webauthn" required value="${v.email ?? ''}"
  ${v.error ? html`aria-describedby="login-error"` : ''} autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${v.uid}/passkey" id="passkey-form" data-webauthn="passkey" data-conditional="true" data-options="${JSON.stringify(v.passkeyOptions)}">
${csrfField(v.csrfToken)}
<input type="hidden" name="code" value="">
<button type="button" id="webauthn-start" class="secondary">Sign in with a passkey</button>
<p class="error" role="alert" id="webauthn-error" hidden></p>
</form>
<p><a href="/interaction/${v.uid}/abort">Cancel</a></p>`,
    { scripts: WEBAUTHN_SCRIPTS },
  );
}
