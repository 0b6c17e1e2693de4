import { badRequest } from '../../../lti/errors.ts';
import { AGS_MEDIA_TYPES } from '../../../lti/services/ags.ts';
import type { LineItemCursor } from '../../model/lineItems.ts';
import type { AgsContext } from '../ags/context.ts';
import { lineItemUrl, lineItemsUrl, nextPageUrl } from '../ags/urls.ts';
import type { Step } from '../context.ts';
import { lineItemJson } from './lineItemJson.ts';

/**
 * The container's page of this tool's items in this context (AGS 2.0 §3.2.4): `resource_link_id`,
 * `resource_id` and `tag` ANDed, `[]` when none match, `Link: <…>; rel="next"` when more follow.
 * Another tool's items are not there: each tool sees its own.
 */
export const listLineItems: Step<AgsContext> = {
  name: 'list_line_items',
  spec: 'AGS 2.0 §3.2.4',
  codes: ['ags_query_invalid'],
  async run(ctx) {
    const { config } = ctx.launcher.services;
    const platform = ctx.platform!;
    const query = ctx.query!;
    const after = query.after === undefined ? undefined : readCursor(query.after);
    const { items, next } = await ctx.launcher.lineItems.list(
      { platformId: platform.id, contextId: ctx.contextId },
      { toolId: ctx.tool!.id, resourceLinkId: query.resource_link_id, resourceId: query.resource_id, tag: query.tag, after, limit: ctx.limit! },
    );
    const body = items.map((item) => lineItemJson(item, lineItemUrl(config, platform, ctx.contextId, item.id)));
    const container = lineItemsUrl(config, platform, ctx.contextId);
    ctx.answer = (reply) => {
      if (next) reply.header('link', `<${nextPageUrl(container, query, `${next.createdAt}.${next.id}`)}>; rel="next"`);
      return reply.code(200).type(AGS_MEDIA_TYPES.lineItemContainer).send(JSON.stringify(body));
    };
  },
};

function readCursor(value: string): LineItemCursor {
  const dot = value.indexOf('.');
  const createdAt = Number(value.slice(0, dot));
  if (dot <= 0 || !Number.isSafeInteger(createdAt) || value.length > 64) {
    throw badRequest('ags_query_invalid', 'The parameter "after" is not one this service wrote: follow the next link as given.').saying({ after: value });
  }
  return { createdAt, id: value.slice(dot + 1) };
}
