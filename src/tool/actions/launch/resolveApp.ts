import { CLAIM } from '../../../lti/claims.ts';
import { LtiError, badRequest } from '../../../lti/errors.ts';
import { gatewayLaunchTarget } from '../../launchTarget.ts';
import type { Step } from '../pipeline.ts';
import type { LaunchContext } from './context.ts';

/** The app named by the route, or by the target_link_uri claim on the routing URL. */
export const resolveApp: Step<LaunchContext> = {
  name: 'resolve_app',
  codes: ['target_link_uri_invalid', 'target_link_uri_mismatch', 'app_unknown'],
  async run(ctx) {
    const target = gatewayLaunchTarget(ctx.gateway.services.config.publicUrl, ctx.payload![CLAIM.targetLinkUri] as string);
    if (!target) throw badRequest('target_link_uri_invalid', 'The launch’s target_link_uri is not one of this tool’s launch addresses.');
    if (ctx.slug !== null && target.slug !== null && target.slug !== ctx.slug) {
      throw badRequest('target_link_uri_mismatch', 'The launch’s target_link_uri names a different app than the address it was sent to.');
    }
    const slug = ctx.slug ?? target.slug;
    const app = slug ? await ctx.gateway.apps.findBySlug(slug) : null;
    if (!app) {
      throw slug
        ? new LtiError('app_unknown', 404, 'The launch names an app that is not behind this tool.').saying({ app: slug })
        : new LtiError('app_unknown', 404, 'The launch does not name an app behind this tool.');
    }
    ctx.app = app;
  },
};
