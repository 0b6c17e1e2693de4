import type { FastifyRequest } from 'fastify';
import { LtiError, forbidden } from '../lti/errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF guard of the admin JSON APIs (preHandler, after Basic auth). A browser that has signed in
 * to the console sends its Basic credentials with any request to this origin, including a form a
 * hostile page posts; the APIs have no form token, so a write must instead look like what a
 * program sends: not from another site (Sec-Fetch-Site, Origin), and JSON when it has a body —
 * a cross-site form can only send urlencoded, multipart or text/plain, and a cross-site script
 * cannot send JSON without a CORS preflight, which the admin never answers.
 */
export async function refuseCrossSiteApiWrites(request: FastifyRequest): Promise<void> {
  if (SAFE_METHODS.has(request.method)) return;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw forbidden('csrf_cross_site', 'This change was sent from another site, so it was refused.');
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) {
    throw forbidden('csrf_origin_mismatch', 'This change was sent from another address than this service, so it was refused.');
  }
  const type = request.headers['content-type'];
  if (type !== undefined && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new LtiError('request_not_json', 415, 'The admin API accepts JSON only: send the body with content-type: application/json.');
  }
}
