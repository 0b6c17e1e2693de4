import { notFound } from '../../../lti/errors.ts';
import type { Launcher } from '../../launcher.ts';
import type { ContextRef, LineItem } from '../../model/lineItems.ts';
import type { Step } from '../context.ts';
import type { GradesContext } from './context.ts';

/** The line item of a context (any tool's) by its short id; 404 `line_item_not_found` when the context has none. */
export async function contextLineItem(launcher: Launcher, context: ContextRef, id: string): Promise<LineItem> {
  const item = await launcher.lineItems.find(context, id);
  if (!item) throw notFound('line_item_not_found', 'This context has no line item with this id.').saying({ id });
  return item;
}

/**
 * Each user's latest score on the line item, as the tool sent it (not rescaled), by user id: what
 * the portal reads (and the admin API, the same shape).
 */
export async function lineItemResults(launcher: Launcher, item: LineItem) {
  const results = await launcher.results.all(item.id);
  return results.map((r) => ({
    user_id: r.userId,
    score_given: r.scoreGiven,
    score_maximum: r.scoreMaximum,
    comment: r.comment,
    activity_progress: r.activityProgress,
    grading_progress: r.gradingProgress,
    timestamp: r.timestamp,
  }));
}

/** The line item the portal names by its short id, among the context's (any tool's). */
export const findContextLineItem: Step<GradesContext> = {
  name: 'find_line_item',
  codes: ['line_item_not_found'],
  async run(ctx) {
    ctx.lineItem = await contextLineItem(ctx.launcher, { platformId: ctx.platform!.id, contextId: ctx.contextId }, ctx.lineItemId!);
  },
};

export const listContextResults: Step<GradesContext> = {
  name: 'list_context_results',
  async run(ctx) {
    const body = await lineItemResults(ctx.launcher, ctx.lineItem!);
    ctx.answer = (reply) => reply.code(200).header('cache-control', 'no-store').send(body);
  },
};
