import * as tenancy from '../../tenancy.ts';
import type { LauncherContext, Step } from '../context.ts';

/** The platform the address names (`/p/<slug>` or `<slug>.<DOMAIN>`; a single-tenant launcher's only one). */
export const resolvePlatform: Step<LauncherContext> = {
  name: 'resolve_platform',
  codes: ['platform_unknown'],
  async run(ctx) {
    ctx.platform = await tenancy.resolvePlatform(ctx.request, ctx.launcher);
  },
};
