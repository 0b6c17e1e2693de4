import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Launcher } from '../../launcher.ts';
import { answerPortal, portalPipeline } from '../portal.ts';
import { resolvePlatform } from '../steps/resolvePlatform.ts';
import { authenticatePortal } from '../steps/authenticatePortal.ts';
import type { GradesContext } from './context.ts';
import { listContextLineItems } from './listLineItems.ts';
import { findContextLineItem, listContextResults } from './listResults.ts';

/** `GET /api/v1/contexts/:context_id/line_items`: the grades columns the tools made in a course. */
export const PORTAL_LINE_ITEMS = portalPipeline<GradesContext>([resolvePlatform, authenticatePortal, listContextLineItems]);

/** `GET /api/v1/contexts/:context_id/line_items/:id/results`: the latest score of each user. */
export const PORTAL_RESULTS = portalPipeline<GradesContext>([resolvePlatform, authenticatePortal, findContextLineItem, listContextResults]);

export function portalGrades(pipeline: typeof PORTAL_LINE_ITEMS, launcher: Launcher, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = request.params as { context_id: string; id?: string };
  return answerPortal(pipeline, { launcher, request, reply, launchId: null, contextId: params.context_id, lineItemId: params.id });
}
