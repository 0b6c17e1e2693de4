import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerPipeline } from '../../../pipeline/pipeline.ts';
import type { Launcher } from '../../launcher.ts';
import { launcherPipeline } from '../context.ts';
import { checkIdpConfig } from '../steps/checkIdpConfig.ts';
import { resolvePlatform } from '../steps/resolvePlatform.ts';
import type { LaunchContext } from './context.ts';
import { useContextJti } from './useContextJti.ts';
import { verifyContext } from './verifyContext.ts';
import { redirectToIdp } from './redirectToIdp.ts';
import { resolveTool } from './resolveTool.ts';

/** `GET /launch/:client_id?context=<JWT>`, step by step. */
export const LAUNCH = launcherPipeline<LaunchContext>([
  resolvePlatform,
  resolveTool,
  // Only a link to a known tool of a known platform writes: its launch-log entry starts here.
  { name: 'launch_received', opens: true },
  verifyContext,
  useContextJti,
  checkIdpConfig,
  redirectToIdp,
]);

export function launch(launcher: Launcher, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { client_id: clientId } = request.params as { client_id: string };
  const { context } = request.query as { context?: unknown };
  return answerPipeline(LAUNCH, { launcher, request, reply, launchId: null, clientId, contextToken: context }, launcher.services);
}
