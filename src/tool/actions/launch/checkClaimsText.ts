import { decodeJwt, type JWTPayload } from 'jose';
import { refuseNul } from '../../../lti/nulCheck.ts';
import type { Step } from '../pipeline.ts';
import type { LaunchContext } from './context.ts';

/**
 * The id_token's claims hold no NUL (see refuseNul), checked before the state is used up: read
 * from the token as sent, the signature is verified after; a token that is not a JWT is left to it.
 */
export const checkClaimsText: Step<LaunchContext> = {
  name: 'check_claims_text',
  codes: ['text_has_nul'],
  run(ctx) {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(ctx.form!.idToken);
    } catch {
      return;
    }
    refuseNul(claims, 'The launch’s id_token carries a character no valid text contains (NUL). Tell the administrator of your course platform.');
  },
};
