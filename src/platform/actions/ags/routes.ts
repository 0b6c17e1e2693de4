import type { FastifyPluginAsync } from 'fastify';
import type { Launcher } from '../../launcher.ts';
import { CREATE_LINE_ITEM, DELETE_LINE_ITEM, LIST_LINE_ITEMS, SHOW_LINE_ITEM, UPDATE_LINE_ITEM, answerAgs } from '../lineItems/index.ts';
import { LIST_RESULTS } from '../results/index.ts';
import { POST_SCORE } from '../scores/index.ts';

/**
 * The AGS endpoints of a platform (AGS 2.0 §3–5), relative to its base. Bodies are read as text
 * whatever their type, so the steps answer a wrong Content-Type (415) and malformed JSON (400)
 * with their own codes rather than the framework's.
 */
export const agsRoutes: FastifyPluginAsync<{ launcher: Launcher }> = async (app, { launcher }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  const items = '/api/lti/contexts/:context_id/lineitems';
  const item = `${items}/:line_item_id`;
  app.get(items, (request, reply) => answerAgs(LIST_LINE_ITEMS, launcher, request, reply));
  app.post(items, (request, reply) => answerAgs(CREATE_LINE_ITEM, launcher, request, reply));
  app.get(item, (request, reply) => answerAgs(SHOW_LINE_ITEM, launcher, request, reply));
  app.put(item, (request, reply) => answerAgs(UPDATE_LINE_ITEM, launcher, request, reply));
  app.delete(item, (request, reply) => answerAgs(DELETE_LINE_ITEM, launcher, request, reply));
  app.get(`${item}/results`, (request, reply) => answerAgs(LIST_RESULTS, launcher, request, reply));
  app.post(`${item}/scores`, (request, reply) => answerAgs(POST_SCORE, launcher, request, reply));
};
