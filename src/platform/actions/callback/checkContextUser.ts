import { USER_CLAIM_NAMES, type UserClaims } from '../../../lti/claims.ts';
import { forbidden } from '../../../lti/errors.ts';
import type { Step } from '../context.ts';
import type { CallbackContext } from './context.ts';

/**
 * A context JWT that names its user binds the launch to that user: whoever signed in at the IdP
 * must be the one the portal made the link for. A link passed on to someone else stops here.
 */
export const checkContextUser: Step<CallbackContext> = {
  name: 'check_context_user',
  codes: ['context_user_mismatch'],
  run(ctx) {
    const user = userOf(ctx.claims!);
    const { contextSub } = ctx.pending!;
    if (contextSub !== null && contextSub !== user.sub) {
      throw forbidden(
        'context_user_mismatch',
        'This link was made for another person than the one who just signed in. Open the tool from your own page on the portal.',
        `context sub ${JSON.stringify(contextSub)}, IdP sub ${JSON.stringify(user.sub)}`,
      );
    }
    ctx.user = user;
  },
};

function userOf(claims: Record<string, unknown> & { sub: string }): UserClaims {
  const user: UserClaims = { sub: claims.sub };
  for (const name of USER_CLAIM_NAMES) {
    const value = claims[name];
    if (typeof value === 'string' && value !== '') (user as unknown as Record<string, string>)[name] = value;
  }
  return user;
}
