// Pages oidc-provider renders itself (errors, RP-initiated logout), in Keystep's layout.
import type { KoaContextWithOIDC, ErrorOut } from 'oidc-provider';
import { html, trusted } from './html.js';
import { page } from './layout.js';
import { errorPage } from './error-page.js';

export async function renderProviderError(ctx: KoaContextWithOIDC, out: ErrorOut, _error: Error): Promise<void> {
  ctx.type = 'html';
  ctx.body = errorPage({
    title: 'Sign-in request could not be processed',
    message: out.error_description ?? 'The request was not valid.',
    error: out.error,
  });
}

export async function renderLogoutPrompt(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  ctx.type = 'html';
  ctx.body = page(
    'Sign out',
    html`<h1>Sign out</h1>
<p>Do you want to sign out of Keystep?</p>
${trusted(form)}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>
<button type="submit" form="op.logoutForm" class="secondary">No, stay signed in</button>`,
  );
}

export async function renderLogoutSuccess(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.type = 'html';
  ctx.body = page('Signed out', html`<h1>Signed out</h1><p>You have been signed out.</p>`);
}
