import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../lti/errors.ts';
import { refuseRepeatedParams } from '../../input/queryParams.ts';
import { gradebookOf } from '../../platform/gradebook.ts';
import type { Launcher } from '../../platform/launcher.ts';
import type { Console } from '../console/consoleScope.ts';
import { contextListBody, gradebookBody } from './gradebookViews.ts';

/** The most courses the list shows (the most recently active), and people per gradebook page. */
const MAX_CONTEXTS = 200;
const PEOPLE_PER_PAGE = 100;

const contextParams = {
  params: {
    type: 'object',
    required: ['id', 'context_id'],
    properties: { id: { type: 'string', minLength: 1, maxLength: 64 }, context_id: { type: 'string', minLength: 1, maxLength: 255 } },
  },
} as const;
const idParams = { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } } as const;

/** A platform's courses and each course's gradebook (line items × people, the latest result in each cell). */
export function gradebookPages(app: FastifyInstance, launcher: Launcher, ui: Console) {
  app.get<{ Params: { id: string } }>('/platforms/:id/contexts', { schema: idParams }, async (request, reply) => {
    const platform = await launcher.platforms.get(request.params.id);
    const { contexts, total } = await launcher.contexts.list(platform.id, MAX_CONTEXTS);
    return ui.send(reply, { title: `Courses of ${platform.name}`, current: 'platforms', body: contextListBody(platform, contexts, total) });
  });

  app.get<{ Params: { id: string; context_id: string } }>('/platforms/:id/contexts/:context_id', { schema: contextParams }, async (request, reply) => {
    const platform = await launcher.platforms.get(request.params.id);
    const { context_id: contextId } = request.params;
    const page = pageOf(refuseRepeatedParams(request.query).page);
    const [book, named] = await Promise.all([
      gradebookOf(launcher, platform, contextId, { offset: (page - 1) * PEOPLE_PER_PAGE, limit: PEOPLE_PER_PAGE }),
      launcher.members.context(platform.id, contextId),
    ]);
    const title = named?.title ?? named?.label ?? contextId;
    return ui.send(reply, { title: `Gradebook: ${title}`, current: 'platforms', body: gradebookBody(platform, contextId, book, PEOPLE_PER_PAGE) });
  });
}

function pageOf(value: string | undefined): number {
  if (value === undefined) return 1;
  const page = Number(value);
  if (!/^\d{1,6}$/.test(value) || page < 1) throw badRequest('request_invalid', 'page must be a whole number from 1.');
  return page;
}
