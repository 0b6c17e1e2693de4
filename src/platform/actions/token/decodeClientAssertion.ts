import { decodeJwt, decodeProtectedHeader } from 'jose';
import { unauthorized } from '../../../lti/errors.ts';
import { hasNul } from '../../../lti/nulCheck.ts';
import type { Step } from '../context.ts';
import type { TokenContext } from './context.ts';

/**
 * The assertion is a compact JWS with a JSON claims set, no NUL in it. Read, not yet trusted: the claims name the
 * tool whose key verifies them, and the spec checks them before the signature (verify_signature).
 */
export const decodeClientAssertion: Step<TokenContext> = {
  name: 'decode_client_assertion',
  spec: 'RFC 7523 §3',
  codes: ['client_assertion_malformed'],
  run(ctx) {
    try {
      ctx.header = decodeProtectedHeader(ctx.assertion!);
      ctx.claims = decodeJwt(ctx.assertion!);
    } catch (err) {
      throw unauthorized('client_assertion_malformed', 'The client_assertion is not a signed JWT.', (err as Error).message);
    }
    // No claim of a valid assertion holds a NUL, and Postgres cannot compare one (sub, jti).
    if (hasNul(ctx.header) || hasNul(ctx.claims)) throw unauthorized('client_assertion_malformed', 'The client assertion contains a NUL character, which no valid assertion does.');
  },
};
