import type { Step } from '../context.ts';
import { lineItemUrl } from '../ags/urls.ts';
import type { Launcher } from '../../launcher.ts';
import type { Platform } from '../../model/platforms.ts';
import type { GradesContext } from './context.ts';

/**
 * Every tool's line items of the context, in creation order, as the portal reads them (and the
 * admin API, the same shape): the short `id` its results URL takes, the AGS `url` the tool knows
 * the item by, and which tool made it.
 */
export async function contextLineItems(launcher: Launcher, platform: Platform, contextId: string) {
  const items = await launcher.lineItems.ofContext({ platformId: platform.id, contextId });
  return items.map(({ item, toolClientId }) => ({
    id: item.id,
    url: lineItemUrl(launcher.services.config, platform, contextId, item.id),
    label: item.label,
    score_maximum: item.scoreMaximum,
    tool_client_id: toolClientId,
    resource_link_id: item.resourceLinkId,
    resource_id: item.resourceId,
    tag: item.tag,
  }));
}

export const listContextLineItems: Step<GradesContext> = {
  name: 'list_context_line_items',
  async run(ctx) {
    const body = await contextLineItems(ctx.launcher, ctx.platform!, ctx.contextId);
    ctx.answer = (reply) => reply.code(200).header('cache-control', 'no-store').send(body);
  },
};
