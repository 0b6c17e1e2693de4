import { notFound } from '../../../lti/errors.ts';
import type { AgsContext } from '../ags/context.ts';
import type { Step } from '../context.ts';

/**
 * A line item's `resourceLinkId` names a link this tool was launched from in this context (AGS 2.0
 * §3.2.7): another tool's link, or one of another context, is not found — as Canvas answers, 404.
 * An update that keeps the item's link is not checked again.
 */
export const checkResourceLink: Step<AgsContext> = {
  name: 'check_resource_link',
  spec: 'AGS 2.0 §3.2.7 (resourceLinkId)',
  codes: ['line_item_resource_link_unknown'],
  async run(ctx) {
    const linkId = ctx.lineItemInput!.resourceLinkId;
    if (linkId === null || linkId === ctx.lineItem?.resourceLinkId) return;
    const known = await ctx.launcher.resourceLinks.has({ platformId: ctx.platform!.id, contextId: ctx.contextId, toolId: ctx.tool!.id, resourceLinkId: linkId });
    if (!known) {
      throw notFound('line_item_resource_link_unknown', 'The resourceLinkId names no link this tool was launched from in this context.').saying({ resourceLinkId: linkId });
    }
  },
};
