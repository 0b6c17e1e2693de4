import { Browser } from './browser.ts';
import type { CookieJar } from './cookieJar.ts';
import { readForm } from './htmlForm.ts';

/** The IdP answered with something other than a redirect or its login page (e.g. an error page). */
export class IdpLoginError extends Error {
  constructor(
    readonly status: number,
    readonly url: URL,
    readonly body: string,
  ) {
    const text = body.replace(/<head>[\s\S]*?<\/head>/i, '').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
    super(`IdP answered ${status} at ${url.pathname}: ${text.slice(0, 300)}`);
    this.name = 'IdpLoginError';
  }
}

/**
 * Signs userId in at the demo IdP the way a browser would: follows redirects by hand from the
 * authorization URL, POSTs the login form (`user=<id>`) when the IdP's login page comes up (it
 * does not when the jar already holds an IdP session with a grant for the client), and returns
 * the redirect to the client's redirect_uri (carrying code and state) without fetching it.
 * Without a redirect_uri parameter, the first redirect leaving the IdP's origin counts.
 */
export async function loginThroughIdp(
  authorizationUrl: string,
  userId: string,
  jar: CookieJar,
  options: { password?: string } = {},
): Promise<URL> {
  const start = new URL(authorizationUrl);
  const redirectUri = start.searchParams.get('redirect_uri');
  const reachedClient = (u: URL) => (redirectUri ? u.href.startsWith(redirectUri) : u.origin !== start.origin);

  const browser = new Browser(jar);
  let url = start;
  let form: URLSearchParams | undefined;
  for (let step = 0; step < 20; step++) {
    const response = await browser.request(url.href, { method: form ? 'POST' : 'GET', body: form });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, url);
      if (reachedClient(next)) return next;
      url = next;
      form = undefined;
      continue;
    }
    const body = await response.text();
    if (!form && response.status === 200 && /\/interaction\/[^/]+$/.test(url.pathname)) {
      form = new URLSearchParams({ user: userId });
      if (options.password !== undefined) form.set('password', options.password);
      url = new URL(`${url.pathname}/login`, url);
      continue;
    }
    const autoPost = response.status === 200 ? autoSubmittedForm(body, url) : undefined;
    if (autoPost && autoPost.action.origin === start.origin) {
      // oidc-provider's self-submitting page, e.g. ending the previous user's session when
      // another user signs in within the same IdP session; a browser submits it by script.
      url = autoPost.action;
      form = autoPost.fields;
      continue;
    }
    throw new IdpLoginError(response.status, url, body);
  }
  throw new Error(`no redirect to the client after 20 steps from ${start.origin}`);
}

/** The POST form of oidc-provider's "Submitting Callback" page. */
function autoSubmittedForm(html: string, base: URL): { action: URL; fields: URLSearchParams } | undefined {
  if (!/<title>Submitting Callback<\/title>/.test(html)) return undefined;
  const form = readForm(html);
  if (form.method.toLowerCase() !== 'post') return undefined;
  return { action: new URL(form.action, base), fields: new URLSearchParams(form.fields) };
}
