import type { IncomingHttpHeaders } from 'node:http';
import { originOf } from './platformOrigins.ts';

/**
 * The origin of the page that made a browser send this form post, as far as the browser says so
 * (Fetch Standard §3.1 `Origin`; Fetch Metadata `Sec-Fetch-Site`; `Referer`), or null when it does
 * not. Only a browser's word counts: a page cannot set any of these headers, so a login-CSRF page
 * cannot claim the platform's origin; a program can, but a program forging its own launch
 * attacks no one's browser.
 *
 * - `Origin` with a value is the answer.
 * - `Origin: null` says nothing usable: browsers send it from sandboxed frames, data: URLs and
 *   pages with `Referrer-Policy: no-referrer` — which an attacker's page can be, and which this
 *   gateway's own pages are. So it is read as absent, never as a match.
 * - `Sec-Fetch-Site: same-origin` proves this service's own page sent the post (an opaque or other
 *   origin is never same-origin). `cross-site` and `same-site` prove no particular site.
 * - `Referer` then, by its origin: a page can trim or drop it, not forge another site's.
 */
export function postedFrom(headers: IncomingHttpHeaders, selfOrigin: string): string | null {
  const origin = single(headers.origin);
  if (origin !== undefined && origin !== 'null') return origin;
  if (single(headers['sec-fetch-site']) === 'same-origin') return selfOrigin;
  const referer = single(headers.referer);
  return referer ? originOf(referer) : null;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
