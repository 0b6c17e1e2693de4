import { Browser } from '../../support/browser.ts';
import { basicAuth } from '../../support/servers.ts';

/**
 * A console user over plain HTTP: Basic credentials on every request, the browser's cookie jar,
 * and form posts that carry the page's CSRF token and the headers a browser sends with them.
 */
export class ConsoleClient {
  readonly browser = new Browser();

  constructor(readonly baseUrl: string, private readonly authorization = basicAuth()) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; html: string; response: Response }> {
    const response = await this.browser.request(`${this.baseUrl}${path}`, { headers: { authorization: this.authorization, ...headers } });
    return { status: response.status, html: await response.text(), response };
  }

  /** The CSRF token of the first form on a page (its hidden `_csrf` field). */
  async tokenFrom(path: string): Promise<string> {
    const { html } = await this.get(path);
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error(`no CSRF token on ${path}`);
    return token;
  }

  /**
   * Posts a form like the browser on a console page does: same-origin headers, the session cookie.
   * A header given as '' is left out (a client that sends no Origin or Sec-Fetch-Site).
   */
  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; html: string; location: string | null; response: Response }> {
    const all: Record<string, string> = {
      authorization: this.authorization,
      'content-type': 'application/x-www-form-urlencoded',
      origin: this.baseUrl,
      'sec-fetch-site': 'same-origin',
      ...headers,
    };
    const response = await this.browser.request(`${this.baseUrl}${path}`, {
      method: 'POST',
      body: new URLSearchParams(fields),
      headers: Object.fromEntries(Object.entries(all).filter(([, v]) => v !== '')),
    });
    return { status: response.status, html: await response.text(), location: response.headers.get('location'), response };
  }
}

/** The text of the element with this id (first match), tags stripped and entities decoded. */
export function textOf(html: string, id: string): string | null {
  const match = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</(p|div|section|dd|li|textarea)>`).exec(html);
  if (!match) return null;
  return decode(match[1].replace(/<[^>]+>/g, '')).trim();
}

/** The value attribute of the input with this id. */
export function inputValue(html: string, id: string): string | null {
  const match = new RegExp(`<input[^>]*id="${id}"[^>]*value="([^"]*)"`).exec(html);
  return match ? decode(match[1]) : null;
}

function decode(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
