import { AGS_MEDIA_TYPES } from '../../../lti/services/ags.ts';
import type { Result } from '../../model/results.ts';
import type { LineItem } from '../../model/lineItems.ts';
import type { AgsContext } from '../ags/context.ts';
import { lineItemUrl, nextPageUrl } from '../ags/urls.ts';
import type { Step } from '../context.ts';

/**
 * A page of the line item's results (AGS 2.0 §5.2), by user id: `user_id` gives at most one,
 * `limit` and `Link: <…>; rel="next"` page the rest. The score is rescaled to the line item's
 * maximum (`resultScore` of `resultMaximum`), as Moodle and Canvas answer; a result without a
 * score has no `resultScore`.
 */
export const listResults: Step<AgsContext> = {
  name: 'list_results',
  spec: 'AGS 2.0 §5.2',
  async run(ctx) {
    const item = ctx.lineItem!;
    const query = ctx.query!;
    const { results, next } = await ctx.launcher.results.list(item.id, { userId: query.user_id, afterUserId: query.after, limit: ctx.limit! });
    const itemUrl = lineItemUrl(ctx.launcher.services.config, ctx.platform!, ctx.contextId, item.id);
    const body = results.map((r) => resultJson(r, item, itemUrl));
    ctx.answer = (reply) => {
      if (next !== null) reply.header('link', `<${nextPageUrl(`${itemUrl}/results`, query, next)}>; rel="next"`);
      return reply.code(200).type(AGS_MEDIA_TYPES.resultContainer).send(JSON.stringify(body));
    };
  },
};

function resultJson(result: Result, item: LineItem, itemUrl: string): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: `${itemUrl}/results?user_id=${encodeURIComponent(result.userId)}`,
    scoreOf: itemUrl,
    userId: result.userId,
  };
  if (result.scoreGiven !== null && result.scoreMaximum !== null) {
    json.resultScore = (result.scoreGiven * item.scoreMaximum) / result.scoreMaximum;
    json.resultMaximum = item.scoreMaximum;
  }
  if (result.comment !== null) json.comment = result.comment;
  return json;
}
