import { notFound } from '../../../lti/errors.ts';
import type { Step } from '../context.ts';
import type { AuthContext } from './context.ts';

/** The client first: once the tool is known, every later refusal is in its launch log. */
export const checkClient: Step<AuthContext> = {
  name: 'check_client',
  spec: 'Security Framework §5.1.1.2 (client_id)',
  codes: ['auth_client_unknown'],
  async run(ctx) {
    const platform = ctx.platform!;
    const clientId = ctx.auth!.client_id;
    const tool = clientId ? await ctx.launcher.tools.findByClientId(platform.id, clientId) : undefined;
    if (!tool) throw notFound('auth_client_unknown', `The platform "${platform.name}" has no tool with the client_id of this login request.`).saying({ client_id: clientId });
    ctx.tool = tool;
  },
};
