import type { AppLineItem } from '../../clients/lineItems.ts';
import { contextLineItemUrl } from '../../serviceUrls.ts';
import type { AppApiContext } from './context.ts';

/** A line item as the app sees it: its `url` the gateway's line_item_url (an id remembered for the LMS's URL), never the LMS's. */
export async function gatewayLineItem(ctx: AppApiContext, item: AppLineItem): Promise<AppLineItem> {
  const endpointId = ctx.endpoint!.id;
  const itemId = await ctx.gateway.serviceEndpoints.lineItemId(endpointId, item.url);
  return { ...item, url: contextLineItemUrl(ctx.gateway.services.config.publicUrl, endpointId, itemId) };
}
