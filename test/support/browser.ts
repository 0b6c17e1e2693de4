/**
 * The scriptable browser of the end-to-end tests, over real HTTP with fetch: one CookieJar (Chromium's
 * rules, see cookieJar.ts), redirects followed by hand, HTML forms submitted as a page would, and
 * the Basic credentials a person typed in for an origin sent again to that origin.
 */
import { CookieJar, type RequestSite } from './cookieJar.ts';
import { readForm } from './htmlForm.ts';

export interface BrowserRequest extends RequestInit {
  /** Whether the request comes from a page of another site (decides which SameSite cookies go). */
  site?: RequestSite;
}

export class Browser {
  /** False plays a browser that blocks (third-party) cookies: nothing is stored. */
  cookiesEnabled = true;
  private readonly credentials = new Map<string, string>();

  constructor(readonly jar = new CookieJar()) {}

  /** Sends Authorization with every request to this origin, as a browser does once signed in with Basic. */
  authorize(origin: string, authorization: string): void {
    this.credentials.set(new URL(origin).origin, authorization);
  }

  /** One request: the jar's cookies out, Set-Cookie in, `accept: text/html` unless given; redirects are not followed. */
  async request(url: string, init: BrowserRequest = {}): Promise<Response> {
    const { site, ...requestInit } = init;
    const target = new URL(url);
    const headers = new Headers(requestInit.headers);
    const cookie = this.jar.header(target, { method: requestInit.method, site });
    if (cookie) headers.set('cookie', cookie);
    if (!headers.has('accept')) headers.set('accept', 'text/html');
    const authorization = this.credentials.get(target.origin);
    if (authorization && !headers.has('authorization')) headers.set('authorization', authorization);
    const response = await fetch(url, { ...requestInit, headers, redirect: 'manual' });
    if (this.cookiesEnabled) this.jar.store(target, response);
    return response;
  }

  get(url: string): Promise<Response> {
    return this.request(url);
  }

  /**
   * A form post as a program sends it: no Origin, Sec-Fetch-Site or Referer unless given in
   * `headers`; `site: 'cross-site'` sends only the cookies a post from another site carries.
   */
  post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}, options: { site?: RequestSite } = {}): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
      site: options.site,
    });
  }

  /** Follows redirects (GET) from `url` until a non-redirect answer, or until `stop(url)` is true. */
  async follow(url: string, stop: (url: URL) => boolean = () => false, init: BrowserRequest = {}): Promise<{ url: URL; response: Response | null }> {
    let current = new URL(url);
    let options: BrowserRequest = init;
    for (let i = 0; i < 20; i++) {
      if (stop(current)) return { url: current, response: null };
      const response = await this.request(current.href, options);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        current = new URL(location, current);
        options = {};
        continue;
      }
      return { url: current, response };
    }
    throw new Error('too many redirects');
  }

  /**
   * Submits the first form of an HTML page at `base`, as an auto-submitting page would, with the
   * headers a browser adds to that post (see formPostHeaders); `headers` overrides them.
   */
  async submitForm(pageHtml: string, base: string, overrides: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Response> {
    const form = readForm(pageHtml);
    const action = new URL(form.action, base);
    const sent = formPostHeaders(base, action.href);
    return this.post(action.href, { ...form.fields, ...overrides }, { ...sent, ...headers }, {
      site: sent['sec-fetch-site'] === 'cross-site' ? 'cross-site' : 'same-site',
    });
  }

  /** Sets a cookie as another site's script or a tampering user could (host-only, no attributes). */
  setCookie(baseUrl: string, name: string, value: string, path = '/'): void {
    const domain = new URL(baseUrl).hostname.toLowerCase();
    this.jar.put({ name, value, domain, hostOnly: true, path, sameSite: 'lax', secure: false });
  }

  cookieNames(): string[] {
    return this.jar.cookies.map((c) => c.name);
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
