import type { LineItem } from '../../model/lineItems.ts';

/** A line item as AGS 2.0 §3.2 writes it: `id` is its URL; absent attributes are left out. */
export function lineItemJson(item: LineItem, url: string): Record<string, unknown> {
  const json: Record<string, unknown> = { id: url, label: item.label, scoreMaximum: item.scoreMaximum };
  if (item.resourceLinkId !== null) json.resourceLinkId = item.resourceLinkId;
  if (item.resourceId !== null) json.resourceId = item.resourceId;
  if (item.tag !== null) json.tag = item.tag;
  if (item.startDateTime !== null) json.startDateTime = item.startDateTime;
  if (item.endDateTime !== null) json.endDateTime = item.endDateTime;
  return json;
}
