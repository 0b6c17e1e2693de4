import type { Step } from '../context.ts';
import { lineItemUrl } from '../ags/urls.ts';
import type { GradesContext } from './context.ts';

/**
 * Every tool's line items of the context, in creation order, for the portal: the short `id` its
 * results URL takes, the AGS `url` the tool knows the item by, and which tool made it.
 */
export const listContextLineItems: Step<GradesContext> = {
  name: 'list_context_line_items',
  async run(ctx) {
    const platform = ctx.platform!;
    const items = await ctx.launcher.lineItems.ofContext({ platformId: platform.id, contextId: ctx.contextId });
    const body = items.map(({ item, toolClientId }) => ({
      id: item.id,
      url: lineItemUrl(ctx.launcher.services.config, platform, ctx.contextId, item.id),
      label: item.label,
      score_maximum: item.scoreMaximum,
      tool_client_id: toolClientId,
      resource_link_id: item.resourceLinkId,
      resource_id: item.resourceId,
      tag: item.tag,
    }));
    ctx.answer = (reply) => reply.code(200).header('cache-control', 'no-store').send(body);
  },
};
