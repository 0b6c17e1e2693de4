import type { FastifyReply, FastifyRequest } from 'fastify';
import { LtiError } from '../lti/errors.ts';
import { bearerKey } from './apiKeys.ts';
import type { Gateway } from './gateway.ts';

/**
 * `GET /api/v1/launches/<code>` with `Authorization: Bearer <api key>`: the app's server redeems
 * a hand-off code, once, for the launch it stands for. Every refusal is a 4xx with a code and nothing else.
 */
export async function redeemLaunch(gateway: Gateway, request: FastifyRequest<{ Params: { code: string } }>, reply: FastifyReply) {
  const { launchLog, metrics } = gateway.services;
  const fail = async (err: LtiError, appId: string | null) => {
    // Without a valid API key the request is anonymous: counted, never written (see `anonymous` in src/lti/failureCodes.ts).
    if (appId === null) {
      metrics.refused.inc({ role: 'tool', code: err.code });
      throw err;
    }
    await launchLog.failure({ role: 'tool', step: 'redeem_handoff', code: err.code, message: err.message, toolId: appId, requestId: request.id });
    metrics.launches.inc({ role: 'tool', outcome: 'failure', code: err.code });
    throw err;
  };
  reply.header('cache-control', 'no-store');
  const key = bearerKey(request.headers.authorization);
  const app = key ? await gateway.apps.authenticate(key) : null;
  if (!app) {
    reply.header('www-authenticate', 'Bearer realm="lti-gateway"');
    return fail(new LtiError('api_key_invalid', 401, 'The API key is missing or not valid.'), null);
  }
  const result = await gateway.handoffs.redeem(app.id, request.params.code);
  if (!result.ok) {
    if (result.reason === 'used') return fail(new LtiError('handoff_used', 410, 'This launch code has already been redeemed.'), app.id);
    if (result.reason === 'expired') return fail(new LtiError('handoff_expired', 410, 'This launch code has expired.'), app.id);
    return fail(new LtiError('handoff_unknown', 404, 'There is no such launch code for this app.'), app.id);
  }
  await launchLog.step(result.launchId, 'handoff_redeemed', { requestId: request.id });
  return result.summary;
}
