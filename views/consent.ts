import { html } from './html.js';
import { page, csrfField } from './layout.js';

export interface ConsentView {
  uid: string;
  csrfToken: string;
  clientName: string;
  scopes: string[];
  claims: string[];
  resources: Array<{ resource: string; scopes: string[] }>;
}

const SCOPE_TEXT: Record<string, string> = {
  openid: 'Know who you are',
  email: 'See your email address',
  profile: 'See your name',
  offline_access: 'Stay signed in (refresh tokens)',
};

export function consentPage(v: ConsentView): string {
  return page(
    'Allow access',
    html`<h1>Allow access</h1>
<p><strong>${v.clientName}</strong> asks to:</p>
<ul>
${v.scopes.map((s) => html`<li>${SCOPE_TEXT[s] ?? s}</li>`)}
${v.claims.length ? html`<li>Read: ${v.claims.join(', ')}</li>` : ''}
${v.resources.map((r) => html`<li>Call <code>${r.resource}</code>${r.scopes.length ? html` (${r.scopes.join(', ')})` : ''}</li>`)}
</ul>
<form method="post" action="/interaction/${v.uid}/confirm">
${csrfField(v.csrfToken)}
<button type="submit">Allow</button>
</form>
<form method="post" action="/interaction/${v.uid}/abort">
${csrfField(v.csrfToken)}
<button type="submit" class="secondary">Deny</button>
</form>`,
  );
}
