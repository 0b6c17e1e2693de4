import { LtiError } from '../../../lti/errors.ts';
import type { AgsContext } from '../ags/context.ts';
import { lineItemUrl } from '../ags/urls.ts';
import type { Step } from '../context.ts';

/**
 * Stores the score and its result in one transaction, unless the stored result is newer (AGS 2.0
 * §4.3.1: the platform MUST NOT update a result with a later timestamp): then 409 and nothing
 * changes. The same timestamp again is accepted (a retried post). A platform with a score webhook
 * gets the accepted score's delivery queued in that transaction (sent by the delivery worker, never
 * in this request). Answers 200 with the result's URL.
 */
export const recordScore: Step<AgsContext> = {
  name: 'record_score',
  spec: 'AGS 2.0 §4.3.1 (timestamp)',
  codes: ['score_out_of_date'],
  async run(ctx) {
    const score = ctx.score!;
    const item = ctx.lineItem!;
    const platform = ctx.platform!;
    const webhook = platform.scoreWebhookUrl
      ? { platformId: platform.id, contextId: ctx.contextId, lineItemId: item.id, lineItemLabel: item.label }
      : undefined;
    const id = await ctx.launcher.results.record(item.id, score, { webhook });
    if (id === null) {
      throw new LtiError('score_out_of_date', 409, 'A score with a later timestamp is already stored for this user: this one changes nothing.')
        .saying({ timestamp: score.timestamp });
    }
    const itemUrl = lineItemUrl(ctx.launcher.services.config, platform, ctx.contextId, item.id);
    const resultUrl = `${itemUrl}/results?user_id=${encodeURIComponent(score.userId)}`;
    ctx.answer = (reply) => reply.code(200).type('application/json; charset=utf-8').send({ resultUrl });
  },
};
