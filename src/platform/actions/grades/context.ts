import type { LineItem } from '../../model/lineItems.ts';
import type { PortalContext } from '../portal.ts';

/** The portal's read of the grades of a context: `GET /api/v1/contexts/:context_id/line_items[/:id/results]`. */
export interface GradesContext extends PortalContext {
  contextId: string;
  /** The short id of the URL (`id` of the line items list). */
  lineItemId?: string;
  lineItem?: LineItem;
}
