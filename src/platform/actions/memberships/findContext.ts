import { notFound } from '../../../lti/errors.ts';
import type { Step } from '../context.ts';
import type { MembershipsContext } from './context.ts';

/**
 * The context is one of the token's platform: the launcher has no contexts table, so a context
 * exists for a platform once someone launched there or the portal pushed its roster. A URL no
 * launch and no push has named is a 404, not an empty list: every context_memberships_url a
 * launch hands out names a context with at least its launching user in it.
 */
export const findContext: Step<MembershipsContext> = {
  name: 'find_context',
  codes: ['memberships_context_unknown'],
  async run(ctx) {
    const found = await ctx.launcher.members.context(ctx.platform!.id, ctx.contextId!);
    if (!found) {
      throw notFound('memberships_context_unknown', 'This platform has no members in that context: no one has launched there and the portal has pushed no roster for it.')
        .saying({ context_id: ctx.contextId });
    }
    ctx.context = {
      id: ctx.contextId!,
      ...(found.label !== null ? { label: found.label } : {}),
      ...(found.title !== null ? { title: found.title } : {}),
    };
  },
};
