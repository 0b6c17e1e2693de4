import type * as client from 'openid-client';
import type { LauncherContext, Step } from '../context.ts';

export interface IdpContext extends LauncherContext {
  idp?: client.Configuration;
}

/** The platform's IdP client, from the discovery document kept on save (checked again: src/platform/idp.ts). */
export const checkIdpConfig: Step<IdpContext> = {
  name: 'check_idp_config',
  codes: ['idp_metadata_invalid', 'idp_url_refused', 'idp_unavailable'],
  async run(ctx) {
    ctx.idp = await ctx.launcher.idp.of(ctx.platform!);
  },
};
