import { html } from './html.js';
import { page } from './layout.js';

export function errorPage(input: { title: string; message: string; error?: string }): string {
  return page(
    input.title,
    html`<h1>${input.title}</h1>
<p class="error" role="alert">${input.message}</p>
${input.error ? html`<p><small>Error code: <code>${input.error}</code></small></p>` : ''}`,
  );
}
