import { notFound } from '../../../lti/errors.ts';
import type { Step } from '../context.ts';
import type { AgsContext } from './context.ts';

/**
 * The URL names a line item of this context, of this platform, of the token's tool. Another tool's
 * item is as unknown as a made-up one: its existence is not revealed (issue 16, contract details).
 */
export const findLineItem: Step<AgsContext> = {
  name: 'find_line_item',
  codes: ['line_item_not_found'],
  async run(ctx) {
    const item = await ctx.launcher.lineItems.find({ platformId: ctx.platform!.id, contextId: ctx.contextId }, ctx.lineItemId!);
    if (!item || item.toolId !== ctx.tool!.id) {
      throw notFound('line_item_not_found', 'There is no line item of this tool at this address.').saying({ line_item_id: ctx.lineItemId });
    }
    ctx.lineItem = item;
  },
};
