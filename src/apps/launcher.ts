import type { FastifyPluginAsync } from 'fastify';
import { platformAdminApi } from '../admin/platformApi.ts';
import { platformAdminPages } from '../admin/platformPages.ts';
import type { Services } from '../server/services.ts';
import { createLauncher } from '../platform/launcher.ts';
import { platformPlugin } from '../platform/plugin.ts';

/**
 * The launcher as served (composition root): the platform role's container (built once per
 * server), its endpoints, and its admin API and console.
 */
export const platformRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  const launcher = createLauncher(services);
  await app.register(platformPlugin, { launcher });
  await app.register(platformAdminApi, { launcher, prefix: '/admin/api/v1' });
  await app.register(platformAdminPages, { launcher, prefix: '/admin' });
};
