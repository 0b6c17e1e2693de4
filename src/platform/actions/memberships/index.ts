import type { FastifyReply, FastifyRequest } from 'fastify';
import { NRPS_SCOPE } from '../../../lti/services/scopes.ts';
import type { Launcher } from '../../launcher.ts';
import { answerService, servicePipeline } from '../service.ts';
import { authenticateAccessToken, requireScope } from '../steps/accessToken.ts';
import { resolvePlatform } from '../steps/resolvePlatform.ts';
import { checkAccept } from './checkAccept.ts';
import type { MembershipsContext } from './context.ts';
import { findContext } from './findContext.ts';
import { listMembers } from './listMembers.ts';
import { checkNrpsEnabled } from './checkNrpsEnabled.ts';
import { readMembershipQuery } from './readMembershipQuery.ts';

/** `GET /api/lti/contexts/:context_id/memberships`: Names and Role Provisioning 2.0, step by step. */
export const MEMBERSHIPS = servicePipeline<MembershipsContext>([
  resolvePlatform,
  authenticateAccessToken,
  requireScope(NRPS_SCOPE),
  checkNrpsEnabled,
  checkAccept,
  readMembershipQuery,
  findContext,
  listMembers,
]);

export function memberships(launcher: Launcher, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  return answerService(MEMBERSHIPS, { launcher, request, reply, launchId: null });
}
