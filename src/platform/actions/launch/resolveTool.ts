import { notFound } from '../../../lti/errors.ts';
import type { Step } from '../context.ts';
import type { LaunchContext } from './context.ts';

/** The platform's tool with the link's client_id. */
export const resolveTool: Step<LaunchContext> = {
  name: 'resolve_tool',
  codes: ['tool_unknown'],
  async run(ctx) {
    const platform = ctx.platform!;
    const tool = await ctx.launcher.tools.findByClientId(platform.id, ctx.clientId);
    if (!tool) throw notFound('tool_unknown', `The platform "${platform.name}" has no tool at this link. The link may be out of date.`).saying({ client_id: ctx.clientId });
    ctx.tool = tool;
  },
};
