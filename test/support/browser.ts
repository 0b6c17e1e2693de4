/**
 * A minimal scriptable "browser" over real HTTP: a cookie jar (with SameSite and Secure kept so
 * tests can drop cross-site cookies on purpose) and manual redirect following.
 */
export interface Cookie {
  name: string;
  value: string;
  host: string;
  path: string;
  sameSite: 'none' | 'lax' | 'strict';
  secure: boolean;
}

export class Jar {
  cookies: Cookie[] = [];

  store(url: string, response: Response): void {
    const host = new URL(url).hostname;
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attr = (key: string) => attrs.find((a) => a.toLowerCase().startsWith(key))?.split('=')[1];
      const cookie: Cookie = {
        name, value, host, path: attr('path') ?? '/',
        sameSite: (attr('samesite')?.toLowerCase() as Cookie['sameSite']) ?? 'lax',
        secure: attrs.some((a) => a.toLowerCase() === 'secure'),
      };
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.host === host && c.path === cookie.path));
      const maxAge = attr('max-age');
      const expired = (maxAge !== undefined && Number(maxAge) <= 0) || /expires=Thu, 01 Jan 1970/i.test(line);
      if (!expired) this.cookies.push(cookie);
    }
  }

  /** Cookie header for a request; `crossSitePost` leaves out SameSite=Lax/Strict cookies like a browser would. */
  header(url: string, options: { crossSitePost?: boolean } = {}): string {
    const u = new URL(url);
    return this.cookies
      .filter((c) => c.host === u.hostname && u.pathname.startsWith(c.path))
      .filter((c) => !options.crossSitePost || c.sameSite === 'none')
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  drop(name: string): void {
    this.cookies = this.cookies.filter((c) => c.name !== name);
  }
}

export class Browser {
  constructor(readonly jar = new Jar()) {}

  async request(url: string, init: RequestInit & { crossSitePost?: boolean } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.jar.header(url, { crossSitePost: init.crossSitePost });
    if (cookie) headers.set('cookie', cookie);
    if (!headers.has('accept')) headers.set('accept', 'text/html');
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.jar.store(url, response);
    return response;
  }

  /** Follows redirects (GET) from `url` until a non-redirect answer, or until `stop(url)` is true. */
  async follow(url: string, stop: (url: URL) => boolean = () => false, init: RequestInit = {}): Promise<{ url: URL; response: Response | null }> {
    let current = new URL(url);
    let options: RequestInit = init;
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

  /** Posts an HTML form's fields like a browser submitting it. */
  async postForm(url: string, fields: Record<string, string>, options: { crossSite?: boolean } = {}): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      body: new URLSearchParams(fields),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      crossSitePost: options.crossSite,
    });
  }
}

/** The action and hidden fields of the first form of a page. */
export function parseForm(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form in page: ${html.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[m[1]] = decodeEntities(m[2]);
  return { action: decodeEntities(action), fields };
}

function decodeEntities(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
