import { notFound } from '../../../lti/errors.ts';
import type { AgsContext } from '../ags/context.ts';
import type { Step } from '../context.ts';

/**
 * A tool adds line items only to a context it was launched in: the container URL it got from a
 * launch's AGS claim. A made-up context id does not open a gradebook column in a course the tool
 * was never used in.
 */
export const checkContextLaunched: Step<AgsContext> = {
  name: 'check_context_launched',
  codes: ['line_item_context_unknown'],
  async run(ctx) {
    const launched = await ctx.launcher.resourceLinks.launchedIn({ platformId: ctx.platform!.id, contextId: ctx.contextId, toolId: ctx.tool!.id });
    if (!launched) {
      throw notFound('line_item_context_unknown', 'This tool was never launched in this context: use the line items URL of a launch’s AGS claim.').saying({ context_id: ctx.contextId });
    }
  },
};
