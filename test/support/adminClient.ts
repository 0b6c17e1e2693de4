/**
 * The administrator of either role, both ways in: the JSON API (`/admin/api/v1`, an Authorization
 * header on every call) and the console pages (a browser signed in with Basic, posting forms with
 * the page's CSRF token and the headers a browser sends with them).
 */
import { Browser } from './browser.ts';
import { basicAuth } from './servers.ts';

export interface AdminRequest {
  /** Default: POST with a body, GET without. */
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** The admin JSON API of one server. */
export class AdminApi {
  constructor(
    readonly baseUrl: string,
    private readonly authorization = basicAuth(),
  ) {}

  /** One call, answered as it came. */
  fetch(path: string, init: AdminRequest = {}): Promise<Response> {
    const hasBody = init.body !== undefined;
    return fetch(`${this.baseUrl}/admin/api/v1${path}`, {
      method: init.method ?? (hasBody ? 'POST' : 'GET'),
      headers: {
        authorization: this.authorization,
        accept: 'application/json',
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      body: hasBody ? JSON.stringify(init.body) : undefined,
    });
  }

  /** One call, its JSON body parsed (null when empty). */
  async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await this.fetch(path, { method, body });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }
}

export interface ConsolePage {
  status: number;
  html: string;
  location: string | null;
  response: Response;
}

/**
 * A person at the console of one server: a Browser that sends the Basic credentials to that
 * origin only (so a page of another host it is sent to gets none), and form posts that carry the
 * same-origin headers a browser adds. Paths are read against `baseUrl`; a full URL goes elsewhere.
 */
export class ConsoleClient {
  readonly browser = new Browser();

  constructor(readonly baseUrl: string, authorization = basicAuth()) {
    this.browser.authorize(baseUrl, authorization);
  }

  get jar() {
    return this.browser.jar;
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<ConsolePage> {
    const response = await this.browser.request(this.url(path), { headers });
    return page(response);
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
  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<ConsolePage> {
    const all: Record<string, string> = {
      origin: new URL(this.baseUrl).origin,
      'sec-fetch-site': 'same-origin',
      ...headers,
    };
    const response = await this.browser.post(this.url(path), fields, Object.fromEntries(Object.entries(all).filter(([, v]) => v !== '')));
    return page(response);
  }

  private url(path: string): string {
    return new URL(path, this.baseUrl).href;
  }
}

async function page(response: Response): Promise<ConsolePage> {
  return { status: response.status, html: await response.text(), location: response.headers.get('location'), response };
}
