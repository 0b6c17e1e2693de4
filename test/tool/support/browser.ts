/**
 * A minimal browser for end-to-end tests over real HTTP: a cookie jar (name, path), manual
 * redirects, and HTML form reading. Cookies can be switched off to play a browser that blocks
 * third-party cookies in an LMS iframe.
 */
export class Browser {
  private readonly cookies = new Map<string, { value: string; path: string; host: string }>();
  cookiesEnabled = true;

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(target);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    if (this.cookiesEnabled) this.store(target, response.headers.getSetCookie());
    return response;
  }

  get(url: string): Promise<Response> {
    return this.fetch(url);
  }

  /** A form post as a program sends it: no Origin, Sec-Fetch-Site or Referer unless given. */
  post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /**
   * Submits the first form of an HTML page at `base`, as an auto-submitting page would, with the
   * headers a browser adds to that post (see formPostHeaders); `headers` overrides them.
   */
  async submitForm(pageHtml: string, base: string, overrides: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Response> {
    const form = readForm(pageHtml);
    const action = new URL(form.action, base);
    return this.post(action.href, { ...form.fields, ...overrides }, { ...formPostHeaders(base, action.href), ...headers });
  }

  /** Sets a cookie as another site's script or a tampering user could. */
  setCookie(baseUrl: string, name: string, value: string, path = '/'): void {
    const url = new URL(baseUrl);
    this.cookies.set(`${url.host}|${name}`, { value, path, host: url.host });
  }

  cookieNames(): string[] {
    return [...this.cookies.keys()].map((k) => k.split('|')[1]);
  }

  private cookieHeader(url: URL): string {
    return [...this.cookies.entries()]
      .filter(([, c]) => c.host === url.host && url.pathname.startsWith(c.path))
      .map(([key, c]) => `${key.split('|')[1]}=${c.value}`)
      .join('; ');
  }

  private store(url: URL, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      const attr = Object.fromEntries(attributes.map((a) => {
        const i = a.indexOf('=');
        return i < 0 ? [a.toLowerCase(), ''] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
      }));
      const key = `${url.host}|${name}`;
      const expired = attr['max-age'] === '0' || (attr.expires && new Date(attr.expires).getTime() < Date.now());
      if (expired || value === '') this.cookies.delete(key);
      else this.cookies.set(key, { value, path: attr.path ?? '/', host: url.host });
    }
  }
}

/**
 * What a browser sends with a form post from a page at `from` to `to`: the page's Origin (always,
 * on a POST) and Sec-Fetch-Site. Sites are compared by scheme and host, which is exact for the
 * loopback addresses the tests use. A page served with `Referrer-Policy: no-referrer` (every page
 * of this project) makes the browser send `Origin: null` instead: pass `{ origin: 'null' }` then.
 */
export function formPostHeaders(from: string, to: string): Record<string, string> {
  const a = new URL(from);
  const b = new URL(to);
  const site = a.origin === b.origin ? 'same-origin' : a.protocol === b.protocol && a.hostname === b.hostname ? 'same-site' : 'cross-site';
  return { origin: a.origin, 'sec-fetch-site': site };
}

export interface HtmlForm {
  action: string;
  method: string;
  fields: Record<string, string>;
}

export function readForm(pageHtml: string): HtmlForm {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(pageHtml);
  if (!form) throw new Error(`no form in page: ${pageHtml.slice(0, 300)}`);
  const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(tag)?.[1];
  const fields: Record<string, string> = {};
  for (const input of form[2].matchAll(/<input\b([^>]*)>/gi)) {
    const name = attr(input[1], 'name');
    if (name) fields[unescapeHtml(name)] = unescapeHtml(attr(input[1], 'value') ?? '');
  }
  return { action: unescapeHtml(attr(form[1], 'action') ?? ''), method: attr(form[1], 'method') ?? 'get', fields };
}

export function dataAttributes(pageHtml: string, id: string): Record<string, string> {
  const tag = new RegExp(`<[a-z]+\\b[^>]*id="${id}"[^>]*>`, 'i').exec(pageHtml)?.[0];
  if (!tag) throw new Error(`no element #${id}`);
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/data-([a-z-]+)="([^"]*)"/g)) out[m[1]] = unescapeHtml(m[2]);
  return out;
}

function unescapeHtml(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
