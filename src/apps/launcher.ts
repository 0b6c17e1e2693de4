import type { FastifyPluginAsync } from 'fastify';
import { platformAdminApi } from '../admin/platformApi.ts';
import { platformAdminPages } from '../admin/platformPages.ts';
import type { Services } from '../server/services.ts';
import { platformPlugin } from '../platform/plugin.ts';

/** The launcher as served: the platform role, and its admin API and console (composition root). */
export const platformRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  await app.register(platformPlugin, { services });
  await app.register(platformAdminApi, { services, prefix: '/admin/api/v1' });
  await app.register(platformAdminPages, { services, prefix: '/admin' });
};
