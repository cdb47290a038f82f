import { html, type Markup } from './html.js';

export function page(title: string, body: Markup, options: { scripts?: string[] } = {}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Keystep</title>
<link rel="stylesheet" href="/assets/keystep.css">
${(options.scripts ?? []).map((src) => html`<script type="module" src="${src}"></script>`)}
</head>
<body>
<main class="card">
<p class="brand" aria-hidden="true">Keystep</p>
${body}
</main>
</body>
</html>`.value;
}

/** A hidden CSRF field for every form Keystep renders. */
export const csrfField = (token: string) => html`<input type="hidden" name="_csrf" value="${token}">`;
