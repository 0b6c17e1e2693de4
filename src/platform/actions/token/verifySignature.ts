import { compactVerify, errors } from 'jose';
import { CLIENT_ASSERTION_ALGS } from '../../../lti/algorithms.ts';
import { unauthorized } from '../../../lti/errors.ts';
import { checkAssertionAlgorithm } from '../../../lti/services/clientAssertion.ts';
import type { Step } from '../context.ts';
import type { TokenContext } from './context.ts';

/**
 * The assertion is signed by the tool's key (its JWKS URL, JWK or PEM: src/platform/toolKeys.ts)
 * with an algorithm of the allow-list. The claims were checked as sent; the signature covers
 * exactly those bytes, so once it verifies they are the tool's.
 */
export const verifySignature: Step<TokenContext> = {
  name: 'verify_signature',
  spec: 'Security Framework §4.1.1, §5.1.3 steps 1 and 6; RFC 7523 §3 item 9',
  codes: ['client_assertion_alg', 'client_assertion_key_unknown', 'client_jwks_unavailable', 'client_jwks_invalid', 'client_assertion_signature_invalid'],
  async run(ctx) {
    checkAssertionAlgorithm(ctx.header!);
    const key = await ctx.launcher.toolKeys.keyFor(ctx.tool!, ctx.header!);
    try {
      await compactVerify(ctx.assertion!, key, { algorithms: CLIENT_ASSERTION_ALGS });
    } catch (err) {
      if (err instanceof errors.JWSSignatureVerificationFailed) {
        throw unauthorized('client_assertion_signature_invalid', 'The client assertion’s signature does not verify with the tool’s key.');
      }
      // A key of another type than the algorithm (jose refuses it), or a JWS jose cannot read.
      throw unauthorized('client_assertion_key_unknown', 'No key of the tool fits the client assertion’s kid and alg.', (err as Error).message);
    }
  },
};
