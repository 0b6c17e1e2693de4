import type { FastifyPluginAsync } from 'fastify';
import { toolAdminPages } from '../admin/toolPages.ts';
import type { Services } from '../http/services.ts';
import { adminApi } from './adminApi.ts';
import { createGateway } from './gateway.ts';
import { launchRoutes } from './launchRoutes.ts';
import type { PlatformKeysOptions } from './platformKeys.ts';

export { toolFramable } from './launchRoutes.ts';

/** The tool gateway (LTI 1.3 tool role) as one Fastify plugin; options for tests (JWKS cache timing). */
export function createToolRoutes(options: { jwks?: PlatformKeysOptions } = {}): FastifyPluginAsync<{ services: Services }> {
  return async function toolRoutes(app, { services }) {
    const gateway = createGateway(services, options);
    await launchRoutes(app, gateway);
    await adminApi(app, gateway);
    await app.register(toolAdminPages, { gateway, prefix: '/admin' });
  };
}

export const toolRoutes: FastifyPluginAsync<{ services: Services }> = createToolRoutes();
