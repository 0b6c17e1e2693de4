import type { LineItemInput, ScoreInput } from '../../../lti/services/ags.ts';
import type { LineItem } from '../../model/lineItems.ts';
import type { ServiceContext } from '../service.ts';

/** What the steps of an AGS endpoint (line items, results, scores) read and fill in. */
export interface AgsContext extends ServiceContext {
  /** The `:context_id` of the URL: the id of the LTI context claim of the tool's launches. */
  contextId: string;
  /** The `:line_item_id` of the URL, on an item's own endpoints. */
  lineItemId?: string;
  /** The line item the URL names, once found among this tool's items in this context. */
  lineItem?: LineItem;
  /** The line item a POST or PUT sends. */
  lineItemInput?: LineItemInput;
  score?: ScoreInput;
  /** The query parameters, each given once. */
  query?: Record<string, string | undefined>;
  limit?: number;
}
