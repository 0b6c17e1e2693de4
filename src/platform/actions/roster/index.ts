import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Launcher } from '../../launcher.ts';
import { answerPortal, portalPipeline } from '../portal.ts';
import { resolvePlatform } from '../steps/resolvePlatform.ts';
import { authenticatePortal } from '../steps/authenticatePortal.ts';
import type { RosterContext } from './context.ts';
import { readRoster } from './readRoster.ts';
import { replaceRoster } from './replaceRoster.ts';

/** The body a roster push may send: 10,000 members with names, emails and a few roles each. */
export const ROSTER_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

/** `PUT /api/v1/contexts/:context_id/members`: the portal pushes a course's roster. */
export const ROSTER = portalPipeline<RosterContext>([
  resolvePlatform,
  authenticatePortal,
  readRoster,
  replaceRoster,
]);

export function putRoster(launcher: Launcher, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  return answerPortal(ROSTER, { launcher, request, reply, launchId: null });
}
