/**
 * A tiny cookie jar for driving real HTTP servers with fetch (`redirect: 'manual'`): stores
 * Set-Cookie headers and sends matching cookies back. Honours Domain, Path, Max-Age and Expires
 * roughly as RFC 6265 does; ignores Secure (tests run over http://127.0.0.1), HttpOnly and SameSite.
 * Like a browser it does not separate cookies by port.
 */
interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  /** Epoch milliseconds; undefined for session cookies. */
  expires?: number;
}

export class CookieJar {
  private cookies: StoredCookie[] = [];

  /** The Cookie header value for a request to url ('' when nothing matches). */
  header(url: string | URL): string {
    return this.matching(url)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  /** Stores every Set-Cookie of a response received from url. */
  store(url: string | URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) this.setCookie(url, line);
  }

  /** The value of one cookie that would be sent to url. */
  get(url: string | URL, name: string): string | undefined {
    return this.matching(url).find((c) => c.name === name)?.value;
  }

  setCookie(url: string | URL, setCookie: string): void {
    const target = new URL(url);
    const host = target.hostname.toLowerCase();
    const [pair, ...attributes] = setCookie.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const cookie: StoredCookie = {
      name: pair.slice(0, eq).trim(),
      value: pair.slice(eq + 1).trim(),
      domain: host,
      hostOnly: true,
      path: defaultPath(target.pathname),
    };
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
      } else if (key === 'max-age' && /^-?\d+$/.test(value)) cookie.expires = Date.now() + Number(value) * 1000;
      else if (key === 'expires' && cookie.expires === undefined) {
        const at = Date.parse(value);
        if (!Number.isNaN(at)) cookie.expires = at;
      }
    }
    this.cookies = this.cookies.filter((c) => !(c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path));
    if (cookie.expires === undefined || cookie.expires > Date.now()) this.cookies.push(cookie);
  }

  clear(): void {
    this.cookies = [];
  }

  private matching(url: string | URL): StoredCookie[] {
    const target = new URL(url);
    const host = target.hostname.toLowerCase();
    const now = Date.now();
    this.cookies = this.cookies.filter((c) => c.expires === undefined || c.expires > now);
    return this.cookies
      .filter((c) => (c.hostOnly ? host === c.domain : domainMatches(host, c.domain)) && pathMatches(target.pathname, c.path))
      .sort((a, b) => b.path.length - a.path.length);
  }
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
