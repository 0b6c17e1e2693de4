import { notFound } from '../../../lti/errors.ts';
import type { Step } from '../context.ts';
import type { CallbackContext } from './context.ts';

/** The tool of the pending launch still exists on this platform. */
export const resolveTool: Step<CallbackContext> = {
  name: 'resolve_tool',
  codes: ['tool_removed'],
  async run(ctx) {
    const tool = await ctx.launcher.tools.findById(ctx.pending!.toolId);
    if (!tool || tool.platformId !== ctx.platform!.id) throw notFound('tool_removed', 'The tool of this launch no longer exists.');
    ctx.tool = tool;
  },
};
