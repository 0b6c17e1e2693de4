import { explainIdpRoles } from '../../roleMapping.ts';
import { sendToolLogin, startToolLogin } from '../../toolLogin.ts';
import type { Step } from '../context.ts';
import type { CallbackContext } from './context.ts';

/**
 * The IdP's roles mapped to LIS roles (the platform's role map), a login hint for the signed-in
 * user, and the tool's login initiation (LTI Core §4.1: form post or redirect).
 */
export const redirectToToolLogin: Step<CallbackContext> = {
  name: 'redirect_to_tool_login',
  spec: 'LTI Core 1.3 §4.1 (third-party initiated login)',
  async run(ctx) {
    const platform = ctx.platform!;
    const user = ctx.user!;
    const idpRoles = explainIdpRoles(ctx.claims!, platform.roleClaim, platform.roleMap);
    const { roles } = idpRoles;
    const target = await startToolLogin(ctx.launcher, ctx.request, ctx.reply, platform, ctx.tool!, {
      launchId: ctx.launchId!, user, roles, contextClaims: ctx.pending!.contextClaims,
    });
    ctx.userSub = user.sub;
    ctx.info = { idp_roles: idpRoles };
    // The launch goes on without a role (the tool decides what a role-less user may do), but an
    // admin should see that the IdP's values matched nothing in the role map.
    if (roles.length === 0) ctx.warning = 'no_role_mapped';
    ctx.answer = (reply) => sendToolLogin(reply, target);
  },
};
