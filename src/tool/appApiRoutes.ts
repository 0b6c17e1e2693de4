import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { handleLineItems } from './actions/lineItems/index.ts';
import { handleMembers } from './actions/members/index.ts';
import { handleResults } from './actions/results/index.ts';
import { handleScores } from './actions/scores/index.ts';
import type { Gateway } from './gateway.ts';

/** Ids as the hand-off gives them are 22 characters; anything else up to this length is answered by the pipeline (403/404), not by the schema. */
const id = { type: 'string', minLength: 1, maxLength: 128 } as const;
const contextParams = { type: 'object', required: ['context'], properties: { context: id } } as const;
const itemParams = { type: 'object', required: ['context', 'item'], properties: { context: id, item: id } } as const;

type ContextRequest = FastifyRequest<{ Params: { context: string; item?: string } }>;

/**
 * The app API (issue 17 item 4): an app's plain JSON calls for the rosters and grades of the
 * contexts it was launched in, at the URLs the hand-off's `services` names
 * (src/tool/serviceUrls.ts), with its API key. Each is a pipeline of src/tool/actions/.
 */
export async function appApiRoutes(app: FastifyInstance, gateway: Gateway): Promise<void> {
  const input = (request: ContextRequest, reply: FastifyReply) => ({
    gateway,
    request,
    reply,
    contextId: request.params.context,
    itemId: request.params.item,
    query: (request.query ?? {}) as Record<string, unknown>,
    body: request.body,
  });
  const base = '/api/v1/contexts/:context';

  app.get(`${base}/members`, { schema: { params: contextParams } }, (request: ContextRequest, reply) => handleMembers(input(request, reply)));

  app.get(`${base}/line_items`, { schema: { params: contextParams } }, (request: ContextRequest, reply) => handleLineItems('list', input(request, reply)));
  app.post(`${base}/line_items`, { schema: { params: contextParams } }, (request: ContextRequest, reply) => handleLineItems('create', input(request, reply)));
  app.get(`${base}/line_items/:item`, { schema: { params: itemParams } }, (request: ContextRequest, reply) => handleLineItems('show', input(request, reply)));
  app.put(`${base}/line_items/:item`, { schema: { params: itemParams } }, (request: ContextRequest, reply) => handleLineItems('update', input(request, reply)));
  app.delete(`${base}/line_items/:item`, { schema: { params: itemParams } }, (request: ContextRequest, reply) => handleLineItems('delete', input(request, reply)));

  app.post(`${base}/line_items/:item/scores`, { schema: { params: itemParams } }, (request: ContextRequest, reply) => handleScores(input(request, reply)));
  app.get(`${base}/line_items/:item/results`, { schema: { params: itemParams } }, (request: ContextRequest, reply) => handleResults(input(request, reply)));
}
