import { CLAIM, CONTEXT_CLAIMS, type ContextClaims } from '../../lti/claims.ts';
import { badRequest } from '../../lti/errors.ts';

/**
 * The portal's context JWT (a product rule of the launcher, not of LTI): it may contribute the
 * LTI context claims (CONTEXT_CLAIMS, src/lti/claims.ts) and nothing else. Identity and security
 * claims (iss, aud, azp, nonce, exp, iat, user claims, deployment_id, message_type, version,
 * target_link_uri) always come from the launcher itself; a context JWT that tries to set them is
 * refused rather than silently trimmed, so the platform's developer learns about the mistake.
 * Its `sub` names the user the link is for: a constraint checked at sign-in, never an identity.
 */

/** JWT registered claims that may appear in the context JWT for its own validation only. */
const ENVELOPE = ['iss', 'aud', 'exp', 'nbf', 'iat', 'jti', 'sub'];

const FORBIDDEN = new Set([
  'nonce', 'azp', 'auth_time', 'acr', 'amr', 'at_hash', 'c_hash',
  'name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username',
  'email', 'email_verified', 'picture', 'locale', 'profile', 'website', 'zoneinfo',
  CLAIM.deploymentId, CLAIM.messageType, CLAIM.version, CLAIM.targetLinkUri, CLAIM.toolPlatform,
]);


export function pickContextClaims(payload: Record<string, unknown>): ContextClaims {
  const picked: ContextClaims = {};
  for (const [name, value] of Object.entries(payload)) {
    if (ENVELOPE.includes(name)) continue;
    if (FORBIDDEN.has(name)) {
      throw badRequest('context_claim_forbidden', `The course context may not set the "${name}" claim; it is set by the launcher.`);
    }
    if ((CONTEXT_CLAIMS as readonly string[]).includes(name)) picked[name as keyof ContextClaims] = value;
    // Unknown claims are ignored: a context JWT is a platform's, and may carry its own fields.
  }
  validateShapes(picked);
  checkUrls(picked);
  return picked;
}

/**
 * Every URL a context carries reaches the tool, which may show it as a link (`return_url` is the
 * "back to the course" button): only http(s) URLs are accepted, so no `javascript:` or `data:` link
 * travels through the launcher under its signature. A URL is a string member named `url`, `uri`
 * or ending in `_url`/`_uri`, at any depth; `custom` values are the tool's own and are not judged.
 */
function checkUrls(claims: ContextClaims): void {
  for (const [name, value] of Object.entries(claims)) {
    if (name === CLAIM.custom) continue;
    walk(value, name, 0);
  }
}

function walk(value: unknown, path: string, depth: number): void {
  if (depth > 8 || typeof value !== 'object' || value === null) return;
  for (const [key, member] of Object.entries(value)) {
    const where = `${path.split('/').pop()}.${key}`;
    if (typeof member === 'string' && /(^|_)(url|uri)$/i.test(key)) {
      if (!isHttpUrl(member)) {
        throw badRequest('context_url_invalid', `The course context's "${where}" must be an http or https URL.`, `${where} scheme not http(s)`);
      }
    } else {
      walk(member, where, depth + 1);
    }
  }
}

function isHttpUrl(value: string): boolean {
  if (value.length > 2048) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

function validateShapes(claims: ContextClaims): void {
  const context = claims[CLAIM.context] as Record<string, unknown> | undefined;
  if (context !== undefined) {
    if (!isObject(context) || typeof context.id !== 'string' || context.id.length === 0 || context.id.length > 255) {
      throw badRequest('context_claim_invalid', 'The course context must be an object with an "id" string of at most 255 characters.');
    }
    if (context.type !== undefined && !(Array.isArray(context.type) && context.type.every((t) => typeof t === 'string'))) {
      throw badRequest('context_claim_invalid', 'The course context "type" must be an array of strings.');
    }
  }
  const link = claims[CLAIM.resourceLink] as Record<string, unknown> | undefined;
  if (link !== undefined && (!isObject(link) || typeof link.id !== 'string' || link.id.length === 0 || link.id.length > 255)) {
    throw badRequest('context_claim_invalid', 'The resource link must be an object with an "id" string of at most 255 characters.');
  }
  const roles = claims[CLAIM.roles];
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === 'string'))) {
    throw badRequest('context_claim_invalid', 'The roles claim must be an array of role URIs.');
  }
  const custom = claims[CLAIM.custom];
  if (custom !== undefined && !(isObject(custom) && Object.values(custom).every((v) => typeof v === 'string'))) {
    throw badRequest('context_claim_invalid', 'The custom claim must be an object whose values are strings.');
  }
  for (const name of [CLAIM.lis, CLAIM.launchPresentation, CLAIM.ext]) {
    if (claims[name] !== undefined && !isObject(claims[name])) {
      throw badRequest('context_claim_invalid', `The "${name}" claim must be an object.`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
