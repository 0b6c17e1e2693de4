import { notFound } from '../../../lti/errors.ts';
import type { Step } from '../context.ts';
import type { GradesContext } from './context.ts';

/** The line item the portal names by its short id, among the context's (any tool's). */
export const findContextLineItem: Step<GradesContext> = {
  name: 'find_line_item',
  codes: ['line_item_not_found'],
  async run(ctx) {
    const item = await ctx.launcher.lineItems.find({ platformId: ctx.platform!.id, contextId: ctx.contextId }, ctx.lineItemId!);
    if (!item) throw notFound('line_item_not_found', 'This context has no line item with this id.').saying({ id: ctx.lineItemId });
    ctx.lineItem = item;
  },
};

/** Each user's latest score on the line item, as the tool sent it (not rescaled), by user id. */
export const listContextResults: Step<GradesContext> = {
  name: 'list_context_results',
  async run(ctx) {
    const results = await ctx.launcher.results.all(ctx.lineItem!.id);
    const body = results.map((r) => ({
      user_id: r.userId,
      score_given: r.scoreGiven,
      score_maximum: r.scoreMaximum,
      comment: r.comment,
      activity_progress: r.activityProgress,
      grading_progress: r.gradingProgress,
      timestamp: r.timestamp,
    }));
    ctx.answer = (reply) => reply.code(200).header('cache-control', 'no-store').send(body);
  },
};
