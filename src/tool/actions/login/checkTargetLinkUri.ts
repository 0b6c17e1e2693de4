import { LtiError, badRequest } from '../../../lti/errors.ts';
import { gatewayLaunchTarget } from '../../launchTarget.ts';
import type { Step } from '../pipeline.ts';
import type { LoginContext } from './context.ts';

/** The target must be one of the gateway's own launch URLs: a login is never an open redirect. */
export const checkTargetLinkUri: Step<LoginContext> = {
  name: 'check_target_link_uri',
  spec: 'Security Framework §5.1.1.1',
  codes: ['target_link_uri_invalid', 'app_unknown'],
  async run(ctx) {
    const target = gatewayLaunchTarget(ctx.gateway.services.config.publicUrl, ctx.login!.targetLinkUri);
    if (!target) {
      throw badRequest('target_link_uri_invalid', 'The link’s target is not one of this tool’s launch addresses.');
    }
    if (target.slug !== null) {
      const app = await ctx.gateway.apps.findBySlug(target.slug);
      if (!app) throw new LtiError('app_unknown', 404, 'The link names an app that is not behind this tool.').saying({ app: target.slug });
      ctx.app = app;
    }
  },
};
