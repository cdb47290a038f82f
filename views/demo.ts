import { html } from './html.js';
import { page, csrfField } from './layout.js';

export function demoHomePage(input: { issuer: string }): string {
  return page(
    'Demo relying party',
    html`<h1>Keystep demo relying party</h1>
<p>This page is an OpenID Connect client of <code>${input.issuer}</code>. It signs you in with the
authorization code flow and PKCE, then shows the tokens Keystep issued.</p>
<p><a class="button" href="/demo/login">Sign in with Keystep</a></p>`,
  );
}

function claimList(claims: Record<string, unknown>) {
  return html`<dl class="claims">${Object.entries(claims).map(
    ([k, v]) => html`<dt>${k}</dt><dd>${typeof v === 'string' ? v : JSON.stringify(v)}${k === 'auth_time' || k === 'iat' || k === 'exp' ? html` <small>(${new Date(Number(v) * 1000).toISOString()})</small>` : ''}</dd>`,
  )}</dl>`;
}

export function demoResultPage(input: {
  idToken: Record<string, unknown>;
  accessToken: Record<string, unknown> | string;
  logoutUrl: string;
  csrfToken: string;
  actionResult?: unknown;
}): string {
  return page(
    'Signed in',
    html`<h1>Signed in</h1>
<p class="notice">How you authenticated: acr <strong>${String(input.idToken.acr ?? '–')}</strong>,
amr <strong>${JSON.stringify(input.idToken.amr ?? [])}</strong>.</p>
<h2>ID token claims</h2>
${claimList(input.idToken)}
<h2>Access token</h2>
${typeof input.accessToken === 'string' ? html`<p>Opaque token (not a JWT).</p>` : claimList(input.accessToken)}
<h2>Sensitive action</h2>
<p>The demo API allows this only at <code>aal2</code>, authenticated in the last 5 minutes. If your
token is not enough, the API answers with an RFC 9470 challenge and this page steps you up.</p>
<form method="post" action="/demo/sensitive">
${csrfField(input.csrfToken)}
<button type="submit">Perform sensitive action</button>
</form>
${input.actionResult !== undefined ? html`<p class="notice" role="status">API answered:</p><pre id="action-result">${JSON.stringify(input.actionResult, null, 2)}</pre>` : ''}
<p><a class="button" href="/demo/login?fresh=1">Sign in again</a> <a class="button secondary" href="${input.logoutUrl}">Sign out</a></p>`,
  );
}
