import { randomBytes } from 'node:crypto';
import { hashToken } from './hashToken.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SecretBox } from '../keys/secretBox.ts';

/**
 * The browser a launch belongs to. A random id is kept in two HttpOnly cookies:
 * - `lti_launcher_browser`: SameSite=None; Secure — sent with the tool's cross-site form POST to /auth;
 * - `lti_launcher_browser_lax`: SameSite=Lax — sent with top-level GET navigations (the IdP's
 *   redirect to /callback, a tool's GET redirect to /auth), and kept by browsers that refuse
 *   SameSite=None or Secure cookies on plain-HTTP development hosts.
 * Either one proves the browser; the database only keeps its SHA-256. See docs/cookies.md.
 *
 * On an https site both names carry the `__Host-` prefix: a browser then accepts them only from
 * this exact host, with Secure and no Domain, so a sibling subdomain (another tenant's, or any
 * host under the same parent) cannot plant a known id in a victim's browser. Ids are issued by
 * the service alone: an id is `<random>.<tag>` with the master secret's tag, and a cookie whose
 * tag does not verify is ignored and replaced, never adopted.
 */
export const BROWSER_COOKIE = 'lti_launcher_browser';
export const BROWSER_COOKIE_LAX = 'lti_launcher_browser_lax';
const HOST_PREFIX = '__Host-';
const MAX_AGE = 24 * 3600;
const ID_SHAPE = /^([A-Za-z0-9_-]{32})\.([A-Za-z0-9_-]{32})$/;

type Tagger = Pick<SecretBox, 'tag' | 'verifyTag'>;

/** The two cookie names this request's site uses: prefixed on https, plain on http (development). */
export function browserCookieNames(request: FastifyRequest): [string, string] {
  const prefix = request.protocol === 'https' ? HOST_PREFIX : '';
  return [`${prefix}${BROWSER_COOKIE}`, `${prefix}${BROWSER_COOKIE_LAX}`];
}

/** The ids of this request's cookies that this service issued (either cookie, deduplicated). */
function issuedIdsOf(request: FastifyRequest, box: Tagger): string[] {
  const ids = new Set<string>();
  for (const name of browserCookieNames(request)) {
    const match = ID_SHAPE.exec(request.cookies[name] ?? '');
    if (match && box.verifyTag(match[1], match[2])) ids.add(match[0]);
  }
  return [...ids];
}

/** The browser id of this request, issuing (and setting) a new one when it has none of ours. */
export function ensureBrowserId(request: FastifyRequest, reply: FastifyReply, box: Tagger): string {
  const random = randomBytes(24).toString('base64url');
  const id = issuedIdsOf(request, box)[0] ?? `${random}.${box.tag(random)}`;
  const [none, lax] = browserCookieNames(request);
  // Refresh both cookies so a browser that lost one gets it back.
  reply.setCookie(none, id, { path: '/', httpOnly: true, secure: true, sameSite: 'none', maxAge: MAX_AGE });
  reply.setCookie(lax, id, { path: '/', httpOnly: true, secure: request.protocol === 'https', sameSite: 'lax', maxAge: MAX_AGE });
  return id;
}

export function browserHash(id: string): string {
  return hashToken(id);
}

/** The hashes of the service-issued browser ids this request carries, for a database match. */
export function browserHashesOf(request: FastifyRequest, box: Tagger): string[] {
  return issuedIdsOf(request, box).map(browserHash);
}
