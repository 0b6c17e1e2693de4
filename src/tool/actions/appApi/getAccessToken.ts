import { forbidden } from '../../../lti/errors.ts';
import { AGS_SCOPES } from '../../../lti/services/scopes.ts';
import type { Step } from '../pipeline.ts';
import type { AppApiContext } from './context.ts';

/** A granted `lineitem` covers what `lineitem.readonly` allows. */
function covers(granted: readonly string[], scope: string): boolean {
  return granted.includes(scope) || (scope === AGS_SCOPES.lineItemReadOnly && granted.includes(AGS_SCOPES.lineItem));
}

/**
 * The LMS's access token for the context's scopes (one per registration and scope set, shared by
 * every call and instance, src/tool/clients/accessTokens.ts), asked once the app's input is
 * checked. When the LMS granted a subset without the scope this call needs (Security Framework
 * §4.1.1), 403 before the service is called.
 */
export const getAccessToken: Step<AppApiContext> = {
  name: 'get_access_token',
  spec: 'Security Framework §4.1.1',
  codes: ['service_scope_not_granted', 'lms_token_refused', 'lms_unavailable', 'registration_token_endpoint_missing'],
  async run(ctx) {
    const token = await ctx.gateway.accessTokens.tokenFor(ctx.registration!, ctx.scopes!);
    if (!covers(token.scopes, ctx.neededScope!)) {
      throw forbidden('service_scope_not_granted', 'The course platform did not grant the gateway the scope this call needs in this course context.')
        .saying({ scope_needed: ctx.neededScope!, scopes_granted: token.scopes.join(' ') });
    }
    ctx.token = token;
  },
};
