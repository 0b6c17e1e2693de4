import { unauthorized } from '../../../lti/errors.ts';
import { tokenAudiences } from '../../tenancy.ts';
import type { Step } from '../context.ts';
import type { TokenContext } from './context.ts';

/**
 * The tool is the one of this platform whose client_id is the assertion's `sub` (Security
 * Framework §4.1.1: "look up the tool by sub"), as stored now: a replaced key stops working on every
 * instance at once. From here on a refusal is in the tool's launch log.
 */
export const resolveClient: Step<TokenContext> = {
  name: 'resolve_client',
  spec: 'Security Framework §4.1.1; RFC 7523 §3 item 2',
  codes: ['client_unknown'],
  async run(ctx) {
    const { sub } = ctx.claims!;
    const platform = ctx.platform!;
    const tool = typeof sub === 'string' && sub.length > 0 ? await ctx.launcher.tools.findByClientIdUncached(platform.id, sub) : undefined;
    if (!tool) {
      throw unauthorized('client_unknown', 'The client assertion’s sub names no tool of this platform: it must be the tool’s client_id.').saying({ sub: typeof sub === 'string' ? sub : undefined });
    }
    ctx.tool = tool;
    const { config } = ctx.launcher.services;
    ctx.expected = {
      clientId: tool.clientId,
      audiences: tokenAudiences(config, platform.slug),
      nowSeconds: Math.floor(Date.now() / 1000),
      clockSkewSeconds: config.clockSkewSeconds,
    };
  },
};
