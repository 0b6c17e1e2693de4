import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import { forbidden } from '../../lti/errors.ts';

export const CSRF_COOKIE = 'lti_admin_csrf';
export const CSRF_FIELD = '_csrf';

const SESSION = /^[A-Za-z0-9_-]{43}$/;

/**
 * CSRF protection of the admin console. A browser sends Basic credentials with every request to
 * the console, including ones a hostile page triggers, so each state-changing request must also:
 * - come from this origin (`Origin` and `Sec-Fetch-Site`, when the browser sends them), and
 * - carry the form token of this browser's console session: a random session id lives in an
 *   HttpOnly, SameSite=Strict cookie; the form field is an HMAC of it under a key derived from the
 *   admin credentials (a signed double-submit cookie), so a cookie planted by a sibling subdomain
 *   is useless without the key, and changing the admin password invalidates every token.
 */
export class CsrfGuard {
  private readonly key: Buffer;

  constructor(config: Pick<Config, 'adminUser' | 'adminPassword'>) {
    this.key = createHash('sha256').update(`lti-launcher admin csrf\u0000${config.adminUser}\u0000${config.adminPassword ?? ''}`).digest();
  }

  /** The form token of this browser's session, starting a session (cookie) when there is none. */
  token(request: FastifyRequest, reply: FastifyReply): string {
    let session = this.sessionOf(request);
    if (!session) {
      session = randomBytes(32).toString('base64url');
      reply.setCookie(CSRF_COOKIE, session, {
        path: '/admin', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https',
      });
      // Later tokens on the same response (several forms) must match the cookie just set.
      request.cookies[CSRF_COOKIE] = session;
    }
    return this.sign(session);
  }

  /** Throws a 403 with a stable code unless the request is a same-origin form post of this session. */
  check(request: FastifyRequest): void {
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin') {
      throw forbidden('csrf_cross_site', 'This change was sent from another site, so it was refused. Make the change from the admin console itself.');
    }
    // Browsers send `Origin: null` when a referrer policy hides the origin; Sec-Fetch-Site then decides.
    const origin = request.headers.origin;
    if (origin === 'null' && site !== 'same-origin') {
      throw forbidden('csrf_origin_mismatch', 'This change was sent from another address than the admin console, so it was refused.');
    }
    if (origin !== undefined && origin !== 'null' && origin !== `${request.protocol}://${request.host}`) {
      throw forbidden('csrf_origin_mismatch', 'This change was sent from another address than the admin console, so it was refused.');
    }
    const session = this.sessionOf(request);
    const given = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
    if (!session || typeof given !== 'string' || given === '') {
      throw forbidden('csrf_token_missing', 'The form is missing its security token (or your browser dropped the console\'s cookie). Reload the page and try again.');
    }
    const expected = Buffer.from(this.sign(session));
    const actual = Buffer.from(given);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      throw forbidden('csrf_token_invalid', 'The form\'s security token is not valid for this browser session. Reload the page and try again.');
    }
  }

  private sessionOf(request: FastifyRequest): string | null {
    const value = request.cookies[CSRF_COOKIE];
    return value && SESSION.test(value) ? value : null;
  }

  private sign(session: string): string {
    return createHmac('sha256', this.key).update(session).digest('base64url');
  }
}
