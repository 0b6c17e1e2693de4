import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerPipeline } from '../../../pipeline/pipeline.ts';
import type { Launcher } from '../../launcher.ts';
import { launcherPipeline } from '../context.ts';
import { idpConfigured } from '../steps/idpConfigured.ts';
import { platformResolved } from '../steps/platformResolved.ts';
import type { LaunchContext } from './context.ts';
import { contextUnused } from './contextUnused.ts';
import { contextVerified } from './contextVerified.ts';
import { idpRedirect } from './idpRedirect.ts';
import { toolResolved } from './toolResolved.ts';

/** `GET /launch/:client_id?context=<JWT>`, step by step. */
export const LAUNCH = launcherPipeline<LaunchContext>([
  platformResolved,
  toolResolved,
  // Only a link to a known tool of a known platform writes: its launch-log entry starts here.
  { name: 'launch_received', opens: true },
  contextVerified,
  contextUnused,
  idpConfigured,
  idpRedirect,
]);

export function launch(launcher: Launcher, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { client_id: clientId } = request.params as { client_id: string };
  const { context } = request.query as { context?: unknown };
  return answerPipeline(LAUNCH, { launcher, request, reply, launchId: null, clientId, contextToken: context }, launcher.services);
}
