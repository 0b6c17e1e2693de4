import { deleteLineItem as deleteLmsLineItem } from '../../clients/lineItems.ts';
import type { Step } from '../pipeline.ts';
import { lmsClientOf } from '../appApi/lmsClientOf.ts';
import type { LineItemsContext } from './context.ts';

/** Deletes the item in the LMS: 204. Its id stays known, so a later call on it gets the LMS's own answer (a 404). */
export const deleteLineItem: Step<LineItemsContext> = {
  name: 'delete_line_item',
  spec: 'AGS 2.0 §3.2.6',
  codes: ['lms_refused', 'lms_unavailable', 'lms_token_refused'],
  async run(ctx) {
    await deleteLmsLineItem(lmsClientOf(ctx), ctx.lineItemUrl!);
    ctx.answer = (reply) => reply.code(204).send();
  },
};
