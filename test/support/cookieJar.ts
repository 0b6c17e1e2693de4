/**
 * The cookie store of the test browser, keeping Chromium's rules (RFC 6265bis as Chromium ships it):
 * - a cookie without SameSite is Lax;
 * - SameSite=None is refused without Secure;
 * - Secure cookies are set and sent only in a secure context: https, or a loopback host
 *   (localhost, *.localhost, 127.0.0.0/8, [::1]) that Chromium counts as one;
 * - __Secure- needs Secure; __Host- needs Secure, no Domain and Path=/;
 * - Domain, Path (default path of the request URL), Max-Age and Expires as RFC 6265 has them;
 * - like a browser it does not separate cookies by port.
 *
 * Every test server runs on a loopback address, where two ports are the same site to Chromium, so a
 * request says itself whether it comes from another site (`site: 'cross-site'`): a cross-site
 * top-level GET carries Lax and None cookies, any other cross-site request (a POST) only None ones.
 */
export type SameSite = 'none' | 'lax' | 'strict';

export interface Cookie {
  name: string;
  value: string;
  /** The host it was set by (hostOnly) or the Domain it names. */
  domain: string;
  hostOnly: boolean;
  path: string;
  sameSite: SameSite;
  secure: boolean;
  /** Epoch milliseconds; undefined for session cookies. */
  expires?: number;
}

/** Where a request comes from: a page of the same site (or none: a typed URL), or another site. */
export type RequestSite = 'same-site' | 'cross-site';

export interface CookieRequest {
  method?: string;
  site?: RequestSite;
}

export class CookieJar {
  cookies: Cookie[] = [];

  /** The Cookie header value for a request to url ('' when nothing matches). */
  header(url: string | URL, request: CookieRequest = {}): string {
    return this.matching(url, request)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  /** The value of one cookie that a same-site GET to url would carry. */
  get(url: string | URL, name: string): string | undefined {
    return this.matching(url).find((c) => c.name === name)?.value;
  }

  /** Stores every Set-Cookie of a response received from url. */
  store(url: string | URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) this.setCookie(url, line);
  }

  /** Stores one Set-Cookie header received from url, or ignores it where Chromium would. */
  setCookie(url: string | URL, setCookie: string): void {
    const target = new URL(url);
    const host = target.hostname.toLowerCase();
    const [pair, ...attributes] = setCookie.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const cookie: Cookie = {
      name: pair.slice(0, eq).trim(),
      value: pair.slice(eq + 1).trim(),
      domain: host,
      hostOnly: true,
      path: defaultPath(target.pathname),
      sameSite: 'lax',
      secure: false,
    };
    let maxAge: number | undefined;
    let expires: number | undefined;
    for (const attribute of attributes) {
      const i = attribute.indexOf('=');
      const key = (i < 0 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
      const value = i < 0 ? '' : attribute.slice(i + 1).trim();
      if (key === 'path' && value.startsWith('/')) cookie.path = value;
      else if (key === 'domain' && value) {
        const domain = value.replace(/^\./, '').toLowerCase();
        if (!domainMatches(host, domain)) return; // a server may not set cookies for other hosts
        cookie.domain = domain;
        cookie.hostOnly = false;
      } else if (key === 'max-age' && /^-?\d+$/.test(value)) maxAge = Number(value);
      else if (key === 'expires') {
        const at = Date.parse(value);
        if (!Number.isNaN(at)) expires = at;
      } else if (key === 'secure') cookie.secure = true;
      else if (key === 'samesite') {
        const sameSite = value.toLowerCase();
        // An unknown value counts as no attribute: Lax.
        if (sameSite === 'none' || sameSite === 'lax' || sameSite === 'strict') cookie.sameSite = sameSite;
      }
    }
    // Max-Age wins over Expires (RFC 6265 §5.3 step 3).
    if (maxAge !== undefined) cookie.expires = Date.now() + maxAge * 1000;
    else if (expires !== undefined) cookie.expires = expires;

    if (cookie.secure && !isSecureContext(target)) return;
    if (cookie.sameSite === 'none' && !cookie.secure) return;
    if (cookie.name.startsWith('__Secure-') && !cookie.secure) return;
    if (cookie.name.startsWith('__Host-') && (!cookie.secure || !cookie.hostOnly || cookie.path !== '/')) return;

    this.put(cookie);
  }

  /** Stores a cookie as it is, the way another site's script or a user with devtools could. */
  put(cookie: Cookie): void {
    this.cookies = this.cookies.filter((c) => !(c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path));
    if (cookie.expires === undefined || cookie.expires > Date.now()) this.cookies.push(cookie);
  }

  /** Forgets every cookie of this name. */
  drop(name: string): void {
    this.cookies = this.cookies.filter((c) => c.name !== name);
  }

  clear(): void {
    this.cookies = [];
  }

  private matching(url: string | URL, request: CookieRequest = {}): Cookie[] {
    const target = new URL(url);
    const host = target.hostname.toLowerCase();
    const secure = isSecureContext(target);
    const crossSite = request.site === 'cross-site';
    const topLevelGet = (request.method ?? 'GET').toUpperCase() === 'GET';
    const now = Date.now();
    this.cookies = this.cookies.filter((c) => c.expires === undefined || c.expires > now);
    return this.cookies
      .filter((c) => (c.hostOnly ? host === c.domain : domainMatches(host, c.domain)) && pathMatches(target.pathname, c.path))
      .filter((c) => !c.secure || secure)
      .filter((c) => !crossSite || c.sameSite === 'none' || (c.sameSite === 'lax' && topLevelGet))
      .sort((a, b) => b.path.length - a.path.length);
  }
}

/** https, or a host Chromium treats as a secure context over http (net::IsLocalhost). */
export function isSecureContext(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  const host = url.hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
}

function defaultPath(pathname: string): string {
  const slash = pathname.lastIndexOf('/');
  return slash <= 0 ? '/' : pathname.slice(0, slash);
}

function domainMatches(host: string, domain: string): boolean {
  if (host === domain) return true;
  const isIp = /^[\d.]+$/.test(host) || host.includes(':') || host.startsWith('[');
  return !isIp && host.endsWith(`.${domain}`);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  return requestPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/');
}
