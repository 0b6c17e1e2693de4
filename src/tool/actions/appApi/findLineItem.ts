import { notFound } from '../../../lti/errors.ts';
import type { Step } from '../pipeline.ts';
import type { AppApiContext } from './context.ts';

/** The line item of the URL is one of this context's (a launch's own, or one the app met in a list or made): its LMS URL, the newest. */
export const findLineItem: Step<AppApiContext> = {
  name: 'find_line_item',
  codes: ['service_line_item_unknown'],
  async run(ctx) {
    const url = await ctx.gateway.serviceEndpoints.lineItemUrl(ctx.endpoint!.id, ctx.itemId!);
    if (url === null) throw notFound('service_line_item_unknown', 'This course context has no line item with this id.');
    ctx.lineItemUrl = url;
  },
};
