import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The browser a launch belongs to. A random id is kept in two HttpOnly cookies:
 * - `lti_launcher_browser`: SameSite=None; Secure — sent with the tool's cross-site form POST to /auth;
 * - `lti_launcher_browser_lax`: SameSite=Lax — sent with top-level GET navigations (the IdP's
 *   redirect to /callback, a tool's GET redirect to /auth), and kept by browsers that refuse
 *   SameSite=None or Secure cookies on plain-HTTP development hosts.
 * Either one proves the browser; the database only keeps its SHA-256. See docs/cookies.md.
 */
export const BROWSER_COOKIE = 'lti_launcher_browser';
export const BROWSER_COOKIE_LAX = 'lti_launcher_browser_lax';
const MAX_AGE = 24 * 3600;

export function browserIdOf(request: FastifyRequest): string | null {
  const value = request.cookies[BROWSER_COOKIE] ?? request.cookies[BROWSER_COOKIE_LAX];
  return value && /^[A-Za-z0-9_-]{32,64}$/.test(value) ? value : null;
}

/** The browser id of this request, creating (and setting) one when the browser has none. */
export function ensureBrowserId(request: FastifyRequest, reply: FastifyReply): string {
  const existing = browserIdOf(request);
  const id = existing ?? randomBytes(24).toString('base64url');
  // Refresh both cookies so a browser that lost one gets it back.
  reply.setCookie(BROWSER_COOKIE, id, { path: '/', httpOnly: true, secure: true, sameSite: 'none', maxAge: MAX_AGE });
  reply.setCookie(BROWSER_COOKIE_LAX, id, { path: '/', httpOnly: true, secure: request.protocol === 'https', sameSite: 'lax', maxAge: MAX_AGE });
  return id;
}

export function browserHash(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

/** The hashes of the browser ids this request carries (either cookie), for a database match. */
export function browserHashesOf(request: FastifyRequest): string[] {
  const hashes = new Set<string>();
  for (const name of [BROWSER_COOKIE, BROWSER_COOKIE_LAX]) {
    const value = request.cookies[name];
    if (value) hashes.add(browserHash(value));
  }
  return [...hashes];
}
