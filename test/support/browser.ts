// A minimal scripted browser: cookies (tough-cookie), redirects within the issuer, and HTML
// forms submitted the way a browser submits them (node-html-parser reads the page).
import { CookieJar } from 'tough-cookie';
import { parse, type HTMLElement } from 'node-html-parser';

export interface Page {
  url: string;
  status: number;
  html: string;
  doc: HTMLElement;
}

export class Browser {
  readonly jar = new CookieJar();

  constructor(readonly origin: string, readonly headers: Record<string, string> = {}) {}

  /** Sends one request (no redirect following); returns the raw response. */
  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const cookie = await this.jar.getCookieString(url);
    const res = await fetch(url, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        'user-agent': 'keystep-test-browser',
        ...this.headers,
        ...(cookie ? { cookie } : {}),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...init.headers,
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    for (const c of res.headers.getSetCookie()) await this.jar.setCookie(c, url, { ignoreError: true });
    return res;
  }

  /**
   * Follows redirects while they stay on the issuer. Returns the final page, or the URL of the
   * first redirect that leaves the issuer (the relying party's callback).
   */
  async navigate(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page | { leftTo: string }> {
    let res = await this.request(url, init);
    let current = url;
    for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
      if (hops > 20) throw new Error('too many redirects');
      const next = new URL(res.headers.get('location')!, current).href;
      if (!next.startsWith(this.origin)) return { leftTo: next };
      current = next;
      res = await this.request(next);
    }
    const html = await res.text();
    return { url: current, status: res.status, html, doc: parse(html) };
  }

  async page(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    const r = await this.navigate(url, init);
    if ('leftTo' in r) throw new Error(`expected a page, was redirected to ${r.leftTo}`);
    return r;
  }

  /** Submits the form matched by selector on page, with its hidden fields plus values. */
  async submit(page: Page, selector: string, values: Record<string, string> = {}): Promise<Page | { leftTo: string }> {
    const form = page.doc.querySelector(selector);
    if (!form) throw new Error(`no form ${selector} on ${page.url}:\n${page.html.slice(0, 2000)}`);
    const fields: Record<string, string> = {};
    for (const input of form.querySelectorAll('input')) {
      const name = input.getAttribute('name');
      const type = input.getAttribute('type');
      // As a browser does: unticked checkboxes and radios are not sent.
      if ((type === 'checkbox' || type === 'radio') && input.getAttribute('checked') === undefined) continue;
      if (name && (input.getAttribute('type') === 'hidden' || input.getAttribute('value') !== undefined)) {
        fields[name] = input.getAttribute('value') ?? '';
      }
    }
    const action = new URL(form.getAttribute('action') ?? page.url, page.url).href;
    return this.navigate(action, { method: (form.getAttribute('method') ?? 'get').toUpperCase(), form: { ...fields, ...values } });
  }
}

export function expectPage(r: Page | { leftTo: string }): Page {
  if ('leftTo' in r) throw new Error(`expected a page, was redirected to ${r.leftTo}`);
  return r;
}

export function expectLeft(r: Page | { leftTo: string }): string {
  if (!('leftTo' in r)) throw new Error(`expected a redirect to the client, got page ${r.url} (${r.status}):\n${r.html.slice(0, 1500)}`);
  return r.leftTo;
}
