import { createLineItem as createLmsLineItem } from '../../clients/lineItems.ts';
import type { Step } from '../pipeline.ts';
import { gatewayLineItem } from '../appApi/gatewayLineItem.ts';
import { lmsClientOf } from '../appApi/lmsClientOf.ts';
import type { LineItemsContext } from './context.ts';

/** POSTs the item to the container: 201 with the item, its `url` the gateway's line_item_url. */
export const createLineItem: Step<LineItemsContext> = {
  name: 'create_line_item',
  spec: 'AGS 2.0 §3.2.5',
  codes: ['lms_refused', 'lms_unavailable', 'lms_token_refused'],
  async run(ctx) {
    const created = await gatewayLineItem(ctx, await createLmsLineItem(lmsClientOf(ctx), ctx.endpoint!.lineItemsUrl!, ctx.lineItem!));
    ctx.answer = (reply) => reply.code(201).header('location', created.url).send(created);
  },
};
