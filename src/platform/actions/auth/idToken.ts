import { buildResourceLinkPayload } from '../../../lti/resourceLinkMessage.ts';
import { sendAutoPostForm } from '../../../web/autoPostForm.ts';
import { platformIssuer } from '../../tenancy.ts';
import type { Step } from '../context.ts';
import type { AuthContext } from './context.ts';
import { agsEndpointClaim } from './agsClaim.ts';
import { nrpsClaim } from './nrpsClaim.ts';

/** The LtiResourceLinkRequest id_token, signed with the launcher's current key (LTI Core §5.3). */
export const signIdToken: Step<AuthContext> = {
  name: 'sign_id_token',
  spec: 'LTI Core 1.3 §5.3 (resource link launch request)',
  async run(ctx) {
    const { config, keys } = ctx.launcher.services;
    const platform = ctx.platform!;
    const hint = ctx.hint!;
    ctx.idToken = await keys.sign(
      buildResourceLinkPayload({
        issuer: platformIssuer(config, platform.slug),
        tool: ctx.tool!,
        user: hint.user,
        roles: hint.roles,
        contextClaims: hint.contextClaims,
        namesRoleService: nrpsClaim(config, platform, ctx.tool!, hint.contextClaims),
        nonce: ctx.nonce!,
        platform: { guid: platform.id, name: platform.name },
        now: Date.now(),
        lifetimeSeconds: config.idTokenLifetimeSeconds,
        agsEndpoint: await agsEndpointClaim(ctx.launcher, { platform, tool: ctx.tool!, contextClaims: hint.contextClaims }),
      }),
    );
  },
};

/** Security Framework §5.1.1.3: the id_token goes to the redirect_uri by form_post. */
export const postIdToken: Step<AuthContext> = {
  name: 'post_id_token',
  spec: 'Security Framework §5.1.1.3 (authentication response by form_post)',
  run(ctx) {
    const tool = ctx.tool!;
    const fields = { id_token: ctx.idToken!, state: ctx.auth!.state };
    ctx.userSub = ctx.hint!.user.sub;
    ctx.done = true;
    ctx.answer = (reply) => sendAutoPostForm(reply, {
      action: ctx.redirectUri!, fields, heading: `Opening ${tool.name}…`, button: `Continue to ${tool.name}`,
    });
  },
};
