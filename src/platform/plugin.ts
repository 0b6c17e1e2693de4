import type { FastifyPluginAsync } from 'fastify';
import { agsRoutes } from './actions/ags/routes.ts';
import { authorize } from './actions/auth/index.ts';
import { callback } from './actions/callback/index.ts';
import { PORTAL_LINE_ITEMS, PORTAL_RESULTS, portalGrades } from './actions/grades/index.ts';
import { launch } from './actions/launch/index.ts';
import { tokenEndpoint } from './actions/token/index.ts';
import { memberships } from './actions/memberships/index.ts';
import { putRoster, ROSTER_BODY_LIMIT_BYTES } from './actions/roster/index.ts';
import { landing } from './landing.ts';
import type { Launcher } from './launcher.ts';
import { redeemTestLaunchStart, TEST_LAUNCH_START_PATH } from './testLaunchStart.ts';
import { jwks, openidConfiguration, toolsApi } from './wellKnown.ts';

/** The endpoints of one platform, relative to its base (`/p/:slug` or the `<slug>.<DOMAIN>` host). */
const platformEndpoints: FastifyPluginAsync<{ launcher: Launcher }> = async (app, { launcher }) => {
  app.get('/', (request, reply) => landing(launcher, request, reply));
  app.get('/api/v1/tools', (request, reply) => toolsApi(launcher, request, reply));
  app.options('/api/v1/tools', (_request, reply) =>
    reply
      .header('access-control-allow-origin', '*')
      .header('access-control-allow-methods', 'GET')
      .header('access-control-allow-headers', 'accept, content-type')
      .header('access-control-max-age', '86400')
      .code(204)
      .send(),
  );
  app.get('/launch/:client_id', (request, reply) => launch(launcher, request, reply));
  app.get('/callback', (request, reply) => callback(launcher, request, reply));
  app.get('/auth', (request, reply) => authorize(launcher, request, reply));
  app.post('/auth', (request, reply) => authorize(launcher, request, reply));
  // A test launch asked for in the console on another host continues here (see testLaunchStart.ts).
  app.post(TEST_LAUNCH_START_PATH, (request, reply) => redeemTestLaunchStart(launcher, request, reply));
  app.get('/.well-known/jwks.json', (request, reply) => jwks(launcher, request, reply));
  app.get('/keypairs', (request, reply) => jwks(launcher, request, reply));
  app.get('/.well-known/openid-configuration', (request, reply) => openidConfiguration(launcher, request, reply));
  // The services' token endpoint (Security Framework §4.1.1): OAuth JSON for every answer.
  await app.register(tokenEndpoint, { launcher });
  app.get('/api/v1/contexts/:context_id/line_items', (request, reply) => portalGrades(PORTAL_LINE_ITEMS, launcher, request, reply));
  app.get('/api/v1/contexts/:context_id/line_items/:id/results', (request, reply) => portalGrades(PORTAL_RESULTS, launcher, request, reply));
  await app.register(agsRoutes, { launcher });
  app.get('/api/lti/contexts/:context_id/memberships', (request, reply) => memberships(launcher, request, reply));
  app.put('/api/v1/contexts/:context_id/members', { bodyLimit: ROSTER_BODY_LIMIT_BYTES }, (request, reply) => putRoster(launcher, request, reply));
};

/** The launcher role: every platform's endpoints, in both tenancy forms. It knows no admin: src/apps/launcher.ts adds it. */
export const platformPlugin: FastifyPluginAsync<{ launcher: Launcher }> = async (app, { launcher }) => {
  await app.register(platformEndpoints, { launcher });
  await app.register(platformEndpoints, { launcher, prefix: '/p/:slug' });
};
