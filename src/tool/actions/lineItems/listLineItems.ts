import { listLineItems as listLmsLineItems, type AppLineItem } from '../../clients/lineItems.ts';
import type { Step } from '../pipeline.ts';
import { gatewayLineItem } from '../appApi/gatewayLineItem.ts';
import { lmsClientOf } from '../appApi/lmsClientOf.ts';
import type { LineItemsContext } from './context.ts';

/** The container's line items, every page, each under the gateway's URL for it. */
export const listLineItems: Step<LineItemsContext> = {
  name: 'list_line_items',
  spec: 'AGS 2.0 §3.2.4',
  codes: ['lms_refused', 'lms_unavailable', 'lms_token_refused'],
  async run(ctx) {
    const listed = await listLmsLineItems(lmsClientOf(ctx), ctx.endpoint!.lineItemsUrl!, ctx.filters, { offeredScopes: ctx.scopes });
    const lineItems: AppLineItem[] = [];
    for (const item of listed.line_items) lineItems.push(await gatewayLineItem(ctx, item));
    ctx.answer = (reply) => reply.send({ line_items: lineItems, truncated: listed.truncated });
  },
};
