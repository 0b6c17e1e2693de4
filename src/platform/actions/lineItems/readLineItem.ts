import { parseJsonObject, readLineItem as readLineItemBody } from '../../../lti/services/ags.ts';
import type { AgsContext } from '../ags/context.ts';
import type { Step } from '../context.ts';

/** The line item a tool sends (AGS 2.0 §3.2): `label` and `scoreMaximum` required, every field of its type. */
export const readLineItem: Step<AgsContext> = {
  name: 'read_line_item',
  spec: 'AGS 2.0 §3.2 (line item)',
  codes: ['ags_body_malformed', 'line_item_field_invalid'],
  run(ctx) {
    ctx.lineItemInput = readLineItemBody(parseJsonObject(ctx.request.body));
  },
};
