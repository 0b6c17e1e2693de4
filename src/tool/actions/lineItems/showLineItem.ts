import { getLineItem } from '../../clients/lineItems.ts';
import type { Step } from '../pipeline.ts';
import { gatewayLineItem } from '../appApi/gatewayLineItem.ts';
import { lmsClientOf } from '../appApi/lmsClientOf.ts';
import type { LineItemsContext } from './context.ts';

export const showLineItem: Step<LineItemsContext> = {
  name: 'show_line_item',
  spec: 'AGS 2.0 §3.2.6',
  codes: ['lms_refused', 'lms_unavailable', 'lms_token_refused'],
  async run(ctx) {
    const item = await gatewayLineItem(ctx, await getLineItem(lmsClientOf(ctx), ctx.lineItemUrl!, { offeredScopes: ctx.scopes }));
    ctx.answer = (reply) => reply.send(item);
  },
};
