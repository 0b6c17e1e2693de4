import { LtiError } from '../../../lti/errors.ts';
import type { AgsContext } from '../ags/context.ts';
import type { Step } from '../context.ts';

/**
 * The score's `userId` is a member of the line item's context (AGS 2.0 §4.3: the user's LTI id):
 * on the portal's roster, or a user who launched a tool in it (NRPS's members; a member who left the
 * roster is Inactive, still graded). A stranger's score is refused with a reason (422, as Canvas
 * answers "User not found in course"), not stored for no one to see.
 */
export const checkMember: Step<AgsContext> = {
  name: 'check_member',
  spec: 'AGS 2.0 §4.3 (userId)',
  codes: ['score_user_not_member'],
  async run(ctx) {
    const userId = ctx.score!.userId;
    const member = await ctx.launcher.members.isMember(ctx.platform!.id, ctx.contextId, userId);
    if (!member) {
      throw new LtiError('score_user_not_member', 422, 'The userId is not a member of this context: no user with this LTI id is on its roster or launched a tool in it.').saying({ userId });
    }
  },
};
