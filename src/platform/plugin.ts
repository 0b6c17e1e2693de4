import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../server/services.ts';
import { authorize } from './auth.ts';
import { landing } from './landing.ts';
import { callback, launch } from './launch.ts';
import { redeemTestLaunchStart, TEST_LAUNCH_START_PATH } from './testLaunchStart.ts';
import { jwks, openidConfiguration, toolsApi } from './wellKnown.ts';

/** The endpoints of one platform, relative to its base (`/p/:slug` or the `<slug>.<DOMAIN>` host). */
const platformEndpoints: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get('/', (request, reply) => landing(services, request, reply));
  app.get('/api/v1/tools', (request, reply) => toolsApi(services, request, reply));
  app.options('/api/v1/tools', (_request, reply) =>
    reply
      .header('access-control-allow-origin', '*')
      .header('access-control-allow-methods', 'GET')
      .header('access-control-allow-headers', 'accept, content-type')
      .header('access-control-max-age', '86400')
      .code(204)
      .send(),
  );
  app.get('/launch/:client_id', (request, reply) => launch(services, request, reply));
  app.get('/callback', (request, reply) => callback(services, request, reply));
  app.get('/auth', (request, reply) => authorize(services, request, reply));
  app.post('/auth', (request, reply) => authorize(services, request, reply));
  // A test launch asked for in the console on another host continues here (see testLaunchStart.ts).
  app.post(TEST_LAUNCH_START_PATH, (request, reply) => redeemTestLaunchStart(services, request, reply));
  app.get('/.well-known/jwks.json', (request, reply) => jwks(services, request, reply));
  app.get('/keypairs', (request, reply) => jwks(services, request, reply));
  app.get('/.well-known/openid-configuration', (request, reply) => openidConfiguration(services, request, reply));
};

/** The launcher role: every platform's endpoints, in both tenancy forms. It knows no admin: src/apps/launcher.ts adds it. */
export const platformPlugin: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  await app.register(platformEndpoints, { services });
  await app.register(platformEndpoints, { services, prefix: '/p/:slug' });
};
