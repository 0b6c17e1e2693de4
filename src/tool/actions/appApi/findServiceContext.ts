import { forbidden } from '../../../lti/errors.ts';
import type { Step } from '../pipeline.ts';
import type { AppApiContext } from './context.ts';

/**
 * The context of the URL is one this app was launched in (service_endpoint_apps), and its
 * registration still exists. Anything else — an id that was never handed out, another app's
 * context, a deleted registration — is one answer, so an app learns nothing of contexts it was
 * never launched in.
 */
export const findServiceContext: Step<AppApiContext> = {
  name: 'find_service_context',
  codes: ['service_context_forbidden'],
  async run(ctx) {
    const refused = () => forbidden('service_context_forbidden', 'This app has not been launched in this course context, so it cannot reach its roster or grades.');
    const endpoint = await ctx.gateway.serviceEndpoints.findForApp(ctx.contextId, ctx.app!.id);
    if (!endpoint) throw refused();
    const registration = await ctx.gateway.registrations.find(endpoint.registrationId);
    if (!registration) throw refused();
    ctx.endpoint = endpoint;
    ctx.registration = registration;
  },
};
