import type { FastifyPluginAsync } from 'fastify';
import type { Launcher } from '../platform/launcher.ts';
import { badRequest } from '../lti/errors.ts';
import type { Outcome } from '../store/launchLog.ts';
import { deletePlatform, platformView, savePlatform } from '../platform/platforms.ts';
import { deleteTool, generateToolKeyPair, saveTool, toolView } from '../platform/tools.ts';
import { RECENT_DELIVERIES, deliveryStatusOf, deliveryView, retryDeliveryNow } from '../platform/webhook/deliveries.ts';
import { refuseCrossSiteApiWrites } from './apiCsrf.ts';
import { adminAuthFor } from './auth.ts';
import { refuseRepeatedParams } from '../input/queryParams.ts';
import { contextLineItems } from '../platform/actions/grades/listLineItems.ts';
import { contextLineItem, lineItemResults } from '../platform/actions/grades/listResults.ts';
import { ROSTER_BODY_LIMIT_BYTES } from '../platform/actions/roster/index.ts';
import { parseRoster } from '../platform/actions/roster/readRoster.ts';
import { contextView, memberView } from '../platform/gradebook.ts';

type Body = Record<string, unknown>;

/** A whole number from 1 to `max` in the query (`default` when absent), or 400 naming the parameter. */
function limitOf(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > max) throw badRequest('request_invalid', `limit must be a whole number from 1 to ${max}.`);
  return limit;
}

const contextParams = {
  params: {
    type: 'object',
    required: ['id', 'context_id'],
    properties: { id: { type: 'string', minLength: 1, maxLength: 64 }, context_id: { type: 'string', minLength: 1, maxLength: 255 }, line_item_id: { type: 'string', minLength: 1, maxLength: 64 } },
  },
} as const;
type ContextParams = { Params: { id: string; context_id: string; line_item_id?: string } };

function bodyOf(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('request_invalid', 'The request body must be a JSON object.');
  return body as Body;
}

/** The launcher's admin JSON API, under /admin/api/v1 (HTTP Basic auth). */
export const platformAdminApi: FastifyPluginAsync<{ launcher: Launcher }> = async (app, { launcher }) => {
  const { services } = launcher;
  const { config } = services;
  const auth = adminAuthFor(services.config);
  // onRequest: an anonymous request is refused before its body is parsed.
  app.addHook('onRequest', auth.check);
  app.addHook('preHandler', refuseCrossSiteApiWrites);
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'no-store');
    return payload;
  });

  app.get('/platforms', async () => ({ platforms: (await launcher.platforms.list()).map((p) => platformView(config, p)) }));
  app.post('/platforms', async (request, reply) => {
    const row = await savePlatform(launcher, bodyOf(request.body));
    request.log.info({ platform: row.id, slug: row.slug }, 'platform created');
    return reply.code(201).send(platformView(config, row));
  });
  app.get<{ Params: { id: string } }>('/platforms/:id', async (request) => platformView(config, await launcher.platforms.get(request.params.id)));
  app.patch<{ Params: { id: string } }>('/platforms/:id', async (request) => {
    const existing = await launcher.platforms.get(request.params.id);
    return platformView(config, await savePlatform(launcher, bodyOf(request.body), existing));
  });
  app.delete<{ Params: { id: string } }>('/platforms/:id', async (request, reply) => {
    await deletePlatform(launcher, request.params.id);
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>('/platforms/:id/webhook_deliveries', async (request) => {
    const platform = await launcher.platforms.get(request.params.id);
    const q = refuseRepeatedParams(request.query);
    const deliveries = await launcher.deliveries.list(platform.id, { status: deliveryStatusOf(q.status), limit: RECENT_DELIVERIES });
    return { webhook_deliveries: deliveries.map(deliveryView) };
  });
  app.post<{ Params: { id: string; delivery: string } }>('/platforms/:id/webhook_deliveries/:delivery/retry', async (request) => {
    const platform = await launcher.platforms.get(request.params.id);
    const delivery = await retryDeliveryNow(launcher, platform.id, request.params.delivery);
    request.log.info({ platform: platform.id, delivery: delivery.id }, 'score webhook delivery retried now');
    return deliveryView(delivery);
  });

  app.get<{ Params: { id: string } }>('/platforms/:id/tools', async (request) => {
    const platform = await launcher.platforms.get(request.params.id);
    return { tools: (await launcher.tools.listOf(platform.id)).map((t) => toolView(config, platform, t)) };
  });
  app.post<{ Params: { id: string } }>('/platforms/:id/tools', async (request, reply) => {
    const platform = await launcher.platforms.get(request.params.id);
    const row = await saveTool(launcher, platform.id, bodyOf(request.body));
    request.log.info({ tool: row.id, platform: platform.id }, 'tool created');
    return reply.code(201).send(toolView(config, platform, row));
  });
  app.get<{ Params: { id: string } }>('/tools/:id', async (request) => {
    const tool = await launcher.tools.get(request.params.id);
    return toolView(config, await launcher.platforms.get(tool.platformId), tool);
  });
  app.patch<{ Params: { id: string } }>('/tools/:id', async (request) => {
    const existing = await launcher.tools.get(request.params.id);
    const platform = await launcher.platforms.get(existing.platformId);
    return toolView(config, platform, await saveTool(launcher, platform.id, bodyOf(request.body), existing));
  });
  // Shown once: the private key is in this answer only (no-store, like every answer here), never stored or logged.
  app.post<{ Params: { id: string } }>('/tools/:id/key-pair', async (request) => {
    const existing = await launcher.tools.get(request.params.id);
    const platform = await launcher.platforms.get(existing.platformId);
    const { tool, privateKeyPem, kid } = await generateToolKeyPair(launcher, existing);
    request.log.info({ tool: tool.id, kid }, 'tool key pair generated');
    return { tool: toolView(config, platform, tool), kid, private_key_pem: privateKeyPem };
  });
  app.delete<{ Params: { id: string } }>('/tools/:id', async (request, reply) => {
    await deleteTool(launcher, request.params.id);
    return reply.code(204).send();
  });

  // A platform's course contexts: the portal's roster and the grades the tools sent, as the
  // portal's own API answers them (one shape: the grades and roster actions' functions).
  app.get<{ Params: { id: string } }>('/platforms/:id/contexts', async (request) => {
    const platform = await launcher.platforms.get(request.params.id);
    const limit = limitOf(refuseRepeatedParams(request.query).limit, 100, 1000);
    const { contexts, total } = await launcher.contexts.list(platform.id, limit);
    return { contexts: contexts.map(contextView), total };
  });
  app.get<ContextParams>('/platforms/:id/contexts/:context_id/members', { schema: contextParams }, async (request) => {
    const platform = await launcher.platforms.get(request.params.id);
    const q = refuseRepeatedParams(request.query);
    const limit = limitOf(q.limit, 100, 1000);
    const { members, more } = await launcher.members.page(platform.id, request.params.context_id, { limit, after: q.after });
    const next = more ? `${request.url.split('?')[0]}?${new URLSearchParams({ limit: String(limit), after: members.at(-1)!.userId })}` : null;
    return { members: members.map(memberView), next };
  });
  app.put<ContextParams>('/platforms/:id/contexts/:context_id/members', { schema: contextParams, bodyLimit: ROSTER_BODY_LIMIT_BYTES }, async (request) => {
    const platform = await launcher.platforms.get(request.params.id);
    const roster = parseRoster(request.params.context_id, request.body);
    const counts = await launcher.members.replaceRoster(platform.id, request.params.context_id, roster);
    request.log.info({ platform: platform.id, members: roster.length }, 'roster pushed (admin API)');
    return counts;
  });
  app.get<ContextParams>('/platforms/:id/contexts/:context_id/line_items', { schema: contextParams }, async (request) =>
    contextLineItems(launcher, await launcher.platforms.get(request.params.id), request.params.context_id));
  app.get<ContextParams>('/platforms/:id/contexts/:context_id/line_items/:line_item_id/results', { schema: contextParams }, async (request) => {
    const platform = await launcher.platforms.get(request.params.id);
    const item = await contextLineItem(launcher, { platformId: platform.id, contextId: request.params.context_id }, request.params.line_item_id!);
    return lineItemResults(launcher, item);
  });

  app.get('/keys', async () => ({ keys: await services.keys.list() }));
  app.post('/keys/rotate', async (request) => {
    const keys = await services.keys.rotate();
    request.log.info({ current: keys[0]?.kid }, 'signing keys rotated');
    return { keys };
  });

  app.get('/launches', async (request) => {
    const q = refuseRepeatedParams(request.query);
    const outcome = q.outcome as Outcome | undefined;
    if (outcome && !['pending', 'success', 'failure'].includes(outcome)) {
      throw badRequest('request_invalid', 'outcome must be pending, success or failure.');
    }
    const limit = q.limit ? Number(q.limit) : 100;
    if (!Number.isInteger(limit) || limit < 1) throw badRequest('request_invalid', 'limit must be a positive whole number.');
    const entries = await services.launchLog.list({
      role: 'platform',
      platformId: q.platform_id ?? q.platform,
      toolId: q.tool_id ?? q.tool,
      outcome,
      failureCode: q.failure_code,
      requestId: q.request_id,
      warned: q.warning === 'true' || undefined,
      before: q.before ? Date.parse(q.before) : undefined,
      limit,
    });
    return { launches: entries.map((e) => ({
      id: e.id,
      platform_id: e.platformId,
      tool_id: e.toolId,
      outcome: e.outcome,
      failure_code: e.failureCode,
      failure_message: e.failureMessage,
      warning: e.warning,
      user_sub: e.userSub,
      request_id: e.requestId,
      steps: e.steps,
      created_at: new Date(e.createdAt).toISOString(),
      updated_at: new Date(e.updatedAt).toISOString(),
    })) };
  });
};
