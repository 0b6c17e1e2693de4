import type { Step } from '../pipeline.ts';
import { queryFields } from '../appApi/appInput.ts';
import type { LineItemsContext } from './context.ts';

/** AGS 2.0 §3.2.4: `?resource_link_id=&resource_id=&tag=` (ANDed), nothing else. */
export const readLineItemQuery: Step<LineItemsContext> = {
  name: 'read_line_item_query',
  spec: 'AGS 2.0 §3.2.4',
  codes: ['app_field_invalid'],
  run(ctx) {
    ctx.filters = queryFields(ctx.query, ['resource_link_id', 'resource_id', 'tag']);
  },
};
