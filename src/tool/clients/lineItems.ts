import { AGS_MEDIA_TYPES } from '../../lti/services/ags.ts';
import { AGS_SCOPES } from '../../lti/services/scopes.ts';
import { callLms, eachPage, lmsUnavailable, type LmsCall, type LmsClient } from './lmsClient.ts';

/**
 * An LMS's line items (AGS 2.0 §3.2), in the app API's shape. `url` here is the LMS's own URL of the
 * item (its `id`): the app API puts the gateway's URL for it in its place (serviceEndpoints.lineItemId).
 */
export interface AppLineItem {
  url: string;
  label: string | null;
  score_maximum: number | null;
  resource_id: string | null;
  tag: string | null;
  resource_link_id: string | null;
  start_date_time: string | null;
  end_date_time: string | null;
}

/** What an app sends to create or update a line item (checked by the app API before any call). */
export interface AppLineItemInput {
  label: string;
  score_maximum: number;
  resource_id?: string | null;
  tag?: string | null;
  resource_link_id?: string | null;
  start_date_time?: string | null;
  end_date_time?: string | null;
}

/** AGS 2.0 §3.2.4: the container's filters (ANDed); the next pages carry them on. */
export interface LineItemFilters {
  resource_link_id?: string;
  resource_id?: string;
  tag?: string;
}

export interface LineItemOptions {
  /**
   * The scopes the LMS offered in the launch: reading asks for `lineitem.readonly` when it was
   * offered, else for `lineitem`, which covers reading (as Canvas reads it).
   */
  offeredScopes?: readonly string[];
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function readScopes(options: LineItemOptions): string[] {
  const offered = options.offeredScopes;
  if (offered && !offered.includes(AGS_SCOPES.lineItemReadOnly) && offered.includes(AGS_SCOPES.lineItem)) return [AGS_SCOPES.lineItem];
  return [AGS_SCOPES.lineItemReadOnly];
}

function toLineItem(raw: unknown, call: Pick<LmsCall, 'method' | 'url'>): AppLineItem {
  const item = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : null;
  // Without its id a line item cannot be reached again: that is not a usable answer (AGS 2.0 §3.2: the platform names each item).
  if (!item || typeof item.id !== 'string' || !URL.canParse(item.id)) throw lmsUnavailable(call, 'a line item of the answer has no id URL');
  return {
    url: item.id,
    label: text(item.label),
    score_maximum: typeof item.scoreMaximum === 'number' ? item.scoreMaximum : null,
    resource_id: text(item.resourceId),
    tag: text(item.tag),
    resource_link_id: text(item.resourceLinkId),
    start_date_time: text(item.startDateTime),
    end_date_time: text(item.endDateTime),
  };
}

function toAgsLineItem(input: AppLineItemInput): Record<string, unknown> {
  const body: Record<string, unknown> = { label: input.label, scoreMaximum: input.score_maximum };
  const optional = { resourceId: input.resource_id, tag: input.tag, resourceLinkId: input.resource_link_id, startDateTime: input.start_date_time, endDateTime: input.end_date_time };
  for (const [name, value] of Object.entries(optional)) if (value !== undefined && value !== null) body[name] = value;
  return body;
}

/** Every line item of the container (the filters added to its own query, Moodle's `?type_id=` kept). */
export async function listLineItems(
  client: LmsClient,
  lineItemsUrl: string,
  filters: LineItemFilters = {},
  options: LineItemOptions = {},
): Promise<{ line_items: AppLineItem[]; truncated: boolean }> {
  const url = new URL(lineItemsUrl);
  for (const [name, value] of Object.entries(filters)) if (value !== undefined) url.searchParams.set(name, value);
  const items: AppLineItem[] = [];
  const { truncated } = await eachPage(client, { url: url.href, scopes: readScopes(options), accept: AGS_MEDIA_TYPES.lineItemContainer }, (body, call) => {
    if (!Array.isArray(body)) throw lmsUnavailable(call, 'the answer is not a line item container (a JSON array)');
    for (const raw of body) items.push(toLineItem(raw, call));
    return true;
  });
  return { line_items: items, truncated };
}

/** A line item write (AGS 2.0 §3.2.5 create, §3.2.6 update): the `lineitem` scope, the line item media type both ways. */
function writeCall(method: 'POST' | 'PUT', url: string, body: Record<string, unknown>): LmsCall {
  return { method, url, scopes: [AGS_SCOPES.lineItem], accept: AGS_MEDIA_TYPES.lineItem, contentType: AGS_MEDIA_TYPES.lineItem, body };
}

export async function createLineItem(client: LmsClient, lineItemsUrl: string, input: AppLineItemInput): Promise<AppLineItem> {
  const call = writeCall('POST', lineItemsUrl, toAgsLineItem(input));
  return toLineItem((await callLms(client, call)).body, call);
}

export async function getLineItem(client: LmsClient, lineItemUrl: string, options: LineItemOptions = {}): Promise<AppLineItem> {
  const call: LmsCall = { method: 'GET', url: lineItemUrl, scopes: readScopes(options), accept: AGS_MEDIA_TYPES.lineItem };
  return toLineItem((await callLms(client, call)).body, call);
}

/** AGS 2.0 §3.2.6: PUT the whole item (Moodle wants label and scoreMaximum every time). */
export async function updateLineItem(client: LmsClient, lineItemUrl: string, input: AppLineItemInput): Promise<AppLineItem> {
  const call = writeCall('PUT', lineItemUrl, { id: lineItemUrl, ...toAgsLineItem(input) });
  const answer = await callLms(client, call);
  // Some LMSs answer an update with no body: the item is then what was sent.
  return answer.body === null ? { ...toLineItem({ id: lineItemUrl, ...toAgsLineItem(input) }, call) } : toLineItem(answer.body, call);
}

export async function deleteLineItem(client: LmsClient, lineItemUrl: string): Promise<void> {
  await callLms(client, { method: 'DELETE', url: lineItemUrl, scopes: [AGS_SCOPES.lineItem], accept: AGS_MEDIA_TYPES.lineItem });
}

/**
 * A service below a line item (AGS 2.0 §4.2, §5.2: `{lineitem}/scores`, `{lineitem}/results`),
 * its query string kept: Moodle's `…/lineitem?type_id=3` has its scores at `…/lineitem/scores?type_id=3`
 * (@lti-tool/core's string concatenation gets this wrong).
 */
export function lineItemServiceUrl(lineItemUrl: string, service: 'scores' | 'results'): URL {
  const url = new URL(lineItemUrl);
  url.pathname = `${url.pathname.replace(/\/$/, '')}/${service}`;
  return url;
}
