import type { FastifyPluginAsync } from 'fastify';
import { platformAdminApi } from '../admin/platformApi.ts';
import { platformAdminPages } from '../admin/platformPages.ts';
import type { Services } from '../server/services.ts';
import { createLauncher } from '../platform/launcher.ts';
import { platformPlugin } from '../platform/plugin.ts';
import { WebhookWorker, type WebhookWorkerOptions } from '../platform/webhook/worker.ts';

/**
 * The launcher as served (composition root): the platform role's container (built once per
 * server), its endpoints, its admin API and console, and the score webhook's delivery worker
 * (running from the server's start to its close). Options for tests (the worker's timing).
 */
export function createPlatformRoutes(options: { webhook?: WebhookWorkerOptions } = {}): FastifyPluginAsync<{ services: Services }> {
  return async function platformRoutes(app, { services }) {
    const launcher = createLauncher(services);
    await app.register(platformPlugin, { launcher });
    await app.register(platformAdminApi, { launcher, prefix: '/admin/api/v1' });
    await app.register(platformAdminPages, { launcher, prefix: '/admin' });
    const worker = new WebhookWorker(launcher, options.webhook);
    app.addHook('onReady', async () => worker.start());
    app.addHook('onClose', async () => worker.stop());
  };
}

export const platformRoutes: FastifyPluginAsync<{ services: Services }> = createPlatformRoutes();
