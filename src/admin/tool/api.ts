import type { FastifyInstance } from 'fastify';
import { refuseCrossSiteApiWrites } from '../apiCsrf.ts';
import { adminAuthFor } from '../auth.ts';
import { refuseRepeatedParams } from '../../input/queryParams.ts';
import type { LaunchEntry, Outcome } from '../../store/launchLog.ts';
import { launchUrl, type App } from '../../tool/model/apps.ts';
import type { Gateway } from '../../tool/gateway.ts';
import type { Registration } from '../../tool/model/registrations.ts';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const objectBody = { type: 'object' } as const;
const launchQuery = {
  type: 'object',
  properties: {
    outcome: { type: 'string', enum: ['pending', 'success', 'failure'] },
    failure_code: { type: 'string', maxLength: 100 },
    request_id: { type: 'string', maxLength: 64 },
    app_id: { type: 'string', maxLength: 64 },
    registration_id: { type: 'string', maxLength: 64 },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
  },
} as const;

type IdRequest = { Params: { id: string } };

/**
 * The gateway's admin JSON API under /admin/api/v1 (HTTP Basic, like the launcher's). Secrets are
 * write-only: an app's API key is shown once, when created or regenerated, and never again.
 */
export async function adminApi(app: FastifyInstance, gateway: Gateway): Promise<void> {
  const { services, registrations, apps } = gateway;
  const auth = adminAuthFor(services.config);

  await app.register(async (api) => {
    // onRequest: an anonymous request is refused before its body is parsed or validated.
    api.addHook('onRequest', auth.check);
    api.addHook('preHandler', refuseCrossSiteApiWrites);
    api.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store');
      return payload;
    });

    api.get('/tool-configuration', async () => toolConfiguration(services.config.publicUrl));

    api.get('/registrations', async () => ({ registrations: (await registrations.list()).map(registrationJson) }));
    api.post('/registrations', { schema: { body: objectBody } }, async (request, reply) => {
      reply.code(201);
      return registrationJson(await registrations.create(request.body as object));
    });
    api.get<IdRequest>('/registrations/:id', { schema: { params: idParams } }, async (request) =>
      registrationJson(await registrations.get(request.params.id)));
    api.patch<IdRequest>('/registrations/:id', { schema: { params: idParams, body: objectBody } }, async (request) =>
      registrationJson(await registrations.update(request.params.id, request.body as object)));
    api.delete<IdRequest>('/registrations/:id', { schema: { params: idParams } }, async (request, reply) => {
      await registrations.delete(request.params.id);
      return reply.code(204).send();
    });

    const publicUrl = () => services.config.publicUrl;
    api.get('/apps', async () => ({ apps: (await apps.list()).map((a) => appJson(a, publicUrl())) }));
    api.post('/apps', { schema: { body: objectBody } }, async (request, reply) => {
      const { app: created, apiKey } = await apps.create(request.body as object);
      reply.code(201);
      return { ...appJson(created, publicUrl()), api_key: apiKey };
    });
    api.get<IdRequest>('/apps/:id', { schema: { params: idParams } }, async (request) =>
      appJson(await apps.get(request.params.id), publicUrl()));
    api.patch<IdRequest>('/apps/:id', { schema: { params: idParams, body: objectBody } }, async (request) =>
      appJson(await apps.update(request.params.id, request.body as object), publicUrl()));
    api.delete<IdRequest>('/apps/:id', { schema: { params: idParams } }, async (request, reply) => {
      await apps.delete(request.params.id);
      return reply.code(204).send();
    });
    api.post<IdRequest>('/apps/:id/api-key', { schema: { params: idParams } }, async (request) => {
      const { app: updated, apiKey } = await apps.regenerateApiKey(request.params.id);
      return { ...appJson(updated, publicUrl()), api_key: apiKey };
    });

    api.get<{ Querystring: { outcome?: Outcome; failure_code?: string; request_id?: string; app_id?: string; registration_id?: string; limit?: number } }>(
      '/launches',
      // Before the schema, which would name a repeated parameter only as "must be string".
      { schema: { querystring: launchQuery }, preValidation: async (request) => void refuseRepeatedParams(request.query) },
      async (request) => {
        const q = request.query;
        const entries = await services.launchLog.list({
          role: 'tool', outcome: q.outcome, failureCode: q.failure_code, requestId: q.request_id, toolId: q.app_id, platformId: q.registration_id, limit: q.limit,
        });
        return { launches: entries.map(launchJson) };
      },
    );

    api.get('/keys', async () => ({ keys: await services.keys.list() }));
    api.post('/keys/rotate', async () => ({ keys: await services.keys.rotate() }));
  }, { prefix: '/admin/api/v1' });
}

/** What an LMS administrator enters for this gateway. */
export function toolConfiguration(publicUrl: string) {
  return {
    login_initiation_url: `${publicUrl}/lti/login`,
    jwks_url: `${publicUrl}/.well-known/jwks.json`,
    launch_url: `${publicUrl}/lti/launch`,
    app_launch_url_pattern: launchUrl(publicUrl, '<slug>'),
  };
}

function registrationJson(r: Registration) {
  return {
    id: r.id,
    name: r.name,
    issuer: r.issuer,
    client_id: r.clientId,
    deployment_ids: r.deploymentIds,
    authorization_endpoint: r.authorizationEndpoint,
    token_endpoint: r.tokenEndpoint,
    jwks_url: r.jwksUrl,
    public_jwk: r.publicJwk,
    public_key: r.publicKey,
    course_page_origins: r.coursePageOrigins,
    token_audience: r.tokenAudience,
    service_scopes: r.serviceScopes,
    created_at: new Date(r.createdAt).toISOString(),
    updated_at: new Date(r.updatedAt).toISOString(),
  };
}

function appJson(a: App, publicUrl: string) {
  return {
    id: a.id,
    name: a.name,
    slug: a.slug,
    app_url: a.appUrl,
    launch_url: launchUrl(publicUrl, a.slug),
    permissions: a.permissions,
    handoff: a.handoff,
    api_key_prefix: a.apiKeyPrefix,
    created_at: new Date(a.createdAt).toISOString(),
    updated_at: new Date(a.updatedAt).toISOString(),
  };
}

function launchJson(e: LaunchEntry) {
  return {
    id: e.id,
    registration_id: e.platformId,
    app_id: e.toolId,
    outcome: e.outcome,
    failure_code: e.failureCode,
    warning: e.warning,
    failure_message: e.failureMessage,
    storage: e.storage,
    user_sub: e.userSub,
    request_id: e.requestId,
    steps: e.steps,
    created_at: new Date(e.createdAt).toISOString(),
  };
}
