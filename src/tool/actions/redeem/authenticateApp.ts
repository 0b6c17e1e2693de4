import { LtiError } from '../../../lti/errors.ts';
import { bearerKey } from '../../apiKeys.ts';
import type { FlowContext, Step } from '../pipeline.ts';

/**
 * The app's server says who it is with its API key, as a bearer token; without a valid one it is
 * asked for it. The first step of the redeem and of every app API call: nothing else runs before it.
 */
export const authenticateApp: Step<FlowContext> = {
  name: 'authenticate_app',
  spec: 'RFC 6750 §2.1, §3',
  codes: ['api_key_invalid'],
  async run(ctx) {
    const key = bearerKey(ctx.request.headers.authorization);
    const app = key ? await ctx.gateway.apps.authenticate(key) : null;
    if (!app) {
      ctx.reply.header('www-authenticate', 'Bearer realm="lti-gateway"');
      throw new LtiError('api_key_invalid', 401, 'The API key is missing or not valid.');
    }
    ctx.app = app;
  },
};
