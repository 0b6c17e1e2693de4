import { CLAIM, type ContextClaim } from '../../../lti/claims.ts';
import { launchRoles } from '../../../lti/resourceLinkMessage.ts';
import type { Step } from '../context.ts';
import type { AuthContext } from './context.ts';

/**
 * A launch in a context makes the user an Active member of it, with the launch's roles and user
 * claims (what NRPS then shows every tool of the platform, each as its share settings allow). One
 * upsert, and none for a launch without a context.
 */
export const recordMembership: Step<AuthContext> = {
  name: 'record_membership',
  spec: 'NRPS 2.0 §3 (the context’s members)',
  async run(ctx) {
    const hint = ctx.hint!;
    const context = hint.contextClaims[CLAIM.context] as ContextClaim | undefined;
    if (!context) return;
    await ctx.launcher.members.recordLaunch({
      platformId: ctx.platform!.id,
      context: { id: context.id, label: context.label, title: context.title },
      user: hint.user,
      roles: launchRoles(hint.contextClaims, hint.roles),
    });
  },
};
