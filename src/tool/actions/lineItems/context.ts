import type { AppLineItemInput, LineItemFilters } from '../../clients/lineItems.ts';
import type { AppApiContext } from '../appApi/context.ts';

/** What the steps of the line item calls (`/api/v1/contexts/<context>/line_items[/<item>]`) read and fill in. */
export interface LineItemsContext extends AppApiContext {
  filters?: LineItemFilters;
  lineItem?: AppLineItemInput;
}
