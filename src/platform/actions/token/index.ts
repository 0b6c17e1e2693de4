import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { LtiError } from '../../../lti/errors.ts';
import { oauthErrorOf } from '../../../lti/services/tokenRequest.ts';
import { answerPipeline } from '../../../pipeline/pipeline.ts';
import { ltiErrorOf } from '../../../server/server.ts';
import type { Launcher } from '../../launcher.ts';
import { launcherPipeline } from '../context.ts';
import { resolvePlatform } from '../steps/resolvePlatform.ts';
import { checkAudience } from './checkAudience.ts';
import { checkClientAssertionType } from './checkClientAssertionType.ts';
import { checkExpiry } from './checkExpiry.ts';
import { checkGrantType } from './checkGrantType.ts';
import { checkIssuedAt } from './checkIssuedAt.ts';
import { checkIssuer } from './checkIssuer.ts';
import { checkJti } from './checkJti.ts';
import type { TokenContext } from './context.ts';
import { decodeClientAssertion } from './decodeClientAssertion.ts';
import { grantScopes } from './grantScopes.ts';
import { issueAccessToken } from './issueAccessToken.ts';
import { readTokenRequest } from './readTokenRequest.ts';
import { resolveClient } from './resolveClient.ts';
import { useJti } from './useJti.ts';
import { verifySignature } from './verifySignature.ts';

/**
 * `POST /token`: the client-credentials grant with a JWT client assertion (Security Framework
 * §4.1.1, RFC 7523), step by step. The claims are checked in the spec's order — iss (once sub has
 * named the tool), exp, aud, jti — then the signature; the jti is recorded as used only after the
 * signature verifies (use_jti), so a forged assertion cannot use up a real one. A refusal once the
 * tool is known (resolve_client) is an entry of its launch log; a success writes none.
 */
export const TOKEN = launcherPipeline<TokenContext>([
  resolvePlatform,
  readTokenRequest,
  checkGrantType,
  checkClientAssertionType,
  decodeClientAssertion,
  resolveClient,
  checkIssuer,
  checkExpiry,
  checkIssuedAt,
  checkAudience,
  checkJti,
  verifySignature,
  useJti,
  grantScopes,
  issueAccessToken,
]);

/**
 * A refusal as RFC 6749 §5.2 says — `{error, error_description}` — plus our stable failure code
 * and the request id, never cached; a 401 (`invalid_client`) carries a challenge (§5.2 allows it).
 */
export function sendTokenError(request: FastifyRequest, reply: FastifyReply, err: LtiError): FastifyReply {
  const error = oauthErrorOf(err);
  if (error === 'invalid_client') reply.header('www-authenticate', 'Bearer realm="lti-token", error="invalid_client"');
  if (err.code === 'database_unavailable') reply.header('retry-after', '2');
  return reply
    .code(err.status)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .type('application/json; charset=utf-8')
    .send({ error, error_description: err.message, failure_code: err.code, request_id: request.id });
}

/**
 * The token endpoint's route, in a scope of its own: its body is read as text whatever its type
 * (read_token_request refuses all but a form), and every refusal — the framework's too, such as
 * an oversized body or a NUL character — is answered as OAuth JSON, never as an HTML page.
 */
export const tokenEndpoint: FastifyPluginAsync<{ launcher: Launcher }> = async (app, { launcher }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((err, request, reply) => sendTokenError(request, reply, ltiErrorOf(err, request)));
  app.post('/token', (request, reply) =>
    answerPipeline(TOKEN, { launcher, request, reply, launchId: null, body: request.body }, launcher.services),
  );
};
