import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import { LTI_ID_TOKEN_ALGS } from '../../../lti/algorithms.ts';
import { LtiError, badRequest } from '../../../lti/errors.ts';
import { checkAlgorithm } from '../../../lti/idTokenChecks.ts';
import type { Step } from '../pipeline.ts';
import type { LaunchContext } from './context.ts';

/** An allowed algorithm, then the signature with the registration's key (fetched and cached by platformKeys.ts). */
export const verifySignature: Step<LaunchContext> = {
  name: 'verify_signature',
  spec: 'Security Framework §5.1.3 steps 1, 6; §6.3',
  codes: ['id_token_malformed', 'alg_not_allowed', 'alg_key_mismatch', 'key_unknown', 'jwks_unavailable', 'platform_jwks_invalid', 'signature_invalid'],
  async run(ctx) {
    const token = ctx.form!.idToken;
    try {
      ctx.header = decodeProtectedHeader(token);
      decodeJwt(token);
    } catch {
      throw badRequest('id_token_malformed', 'The launch’s id_token is not a well-formed signed JWT.');
    }
    checkAlgorithm(ctx.header);
    const key = await ctx.gateway.platformKeys.keyFor(ctx.registration!, ctx.header);
    ctx.payload = decodeJwt(token);
    try {
      await compactVerify(token, key, { algorithms: LTI_ID_TOKEN_ALGS });
    } catch (err) {
      throw new LtiError('signature_invalid', 401, 'The launch’s signature does not verify with the platform’s key.', (err as Error).message);
    }
  },
};
