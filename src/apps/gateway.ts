import type { FastifyPluginAsync } from 'fastify';
import { toolAdminPages } from '../admin/toolPages.ts';
import { adminApi } from '../admin/tool/api.ts';
import type { Services } from '../server/services.ts';
import { appApiRoutes } from '../tool/appApiRoutes.ts';
import { createGateway } from '../tool/gateway.ts';
import { launchRoutes } from '../tool/launchRoutes.ts';
import type { PlatformKeysOptions } from '../tool/platformKeys.ts';

export { toolFramable } from '../tool/launchRoutes.ts';

/**
 * The gateway as served (composition root): the tool role's container, launch routes and app API,
 * and its admin API and console. Options for tests (JWKS cache timing).
 */
export function createToolRoutes(options: { jwks?: PlatformKeysOptions } = {}): FastifyPluginAsync<{ services: Services }> {
  return async function toolRoutes(app, { services }) {
    const gateway = createGateway(services, options);
    await launchRoutes(app, gateway);
    await appApiRoutes(app, gateway);
    await adminApi(app, gateway);
    await app.register(toolAdminPages, { gateway, prefix: '/admin' });
  };
}

export const toolRoutes: FastifyPluginAsync<{ services: Services }> = createToolRoutes();
