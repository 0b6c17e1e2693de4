import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerPipeline } from '../../../pipeline/pipeline.ts';
import type { Launcher } from '../../launcher.ts';
import { launcherPipeline } from '../context.ts';
import { idpConfigured } from '../steps/idpConfigured.ts';
import { platformResolved } from '../steps/platformResolved.ts';
import type { CallbackContext } from './context.ts';
import { contextUser } from './contextUser.ts';
import { idpAnswered } from './idpAnswered.ts';
import { idpClaimsText } from './idpClaimsText.ts';
import { idpTokenVerified } from './idpTokenVerified.ts';
import { stateChecked } from './stateChecked.ts';
import { toolLoginRedirect } from './toolLoginRedirect.ts';
import { toolResolved } from './toolResolved.ts';

/** `GET /callback` (the IdP's redirect_uri), step by step. */
export const CALLBACK = launcherPipeline<CallbackContext>([
  platformResolved,
  stateChecked,
  toolResolved,
  idpAnswered,
  idpConfigured,
  idpTokenVerified,
  idpClaimsText,
  contextUser,
  toolLoginRedirect,
]);

export function callback(launcher: Launcher, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const query = request.query as Record<string, unknown>;
  return answerPipeline(CALLBACK, { launcher, request, reply, launchId: null, query }, launcher.services);
}
