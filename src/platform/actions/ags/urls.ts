import type { Config } from '../../../config.ts';
import type { Platform } from '../../model/platforms.ts';
import { platformBaseUrl } from '../../tenancy.ts';

/**
 * The AGS URLs of a context (AGS 2.0 §3.1): the line item container, each item's URL under it, and
 * the results and scores URLs under an item. Built on the platform's canonical base URL, so a URL
 * a tool got from one launch keeps working from every other (and in every other context).
 */
export function lineItemsUrl(config: Config, platform: Pick<Platform, 'slug'>, contextId: string): string {
  return `${platformBaseUrl(config, platform.slug)}/api/lti/contexts/${encodeURIComponent(contextId)}/lineitems`;
}

export function lineItemUrl(config: Config, platform: Pick<Platform, 'slug'>, contextId: string, lineItemId: string): string {
  return `${lineItemsUrl(config, platform, contextId)}/${encodeURIComponent(lineItemId)}`;
}

/** The URL of the next page: the same query with the cursor set (RFC 8288 `rel="next"`, AGS 2.0 §3.2.4). */
export function nextPageUrl(base: string, query: Record<string, string | undefined>, cursor: string): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && name !== 'after') params.set(name, value);
  params.set('after', cursor);
  return `${base}?${params}`;
}
