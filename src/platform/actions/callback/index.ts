import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerPipeline } from '../../../pipeline/pipeline.ts';
import type { Launcher } from '../../launcher.ts';
import { launcherPipeline } from '../context.ts';
import { checkIdpConfig } from '../steps/checkIdpConfig.ts';
import { resolvePlatform } from '../steps/resolvePlatform.ts';
import type { CallbackContext } from './context.ts';
import { checkContextUser } from './checkContextUser.ts';
import { readIdpAnswer } from './readIdpAnswer.ts';
import { checkIdpClaimsText } from './checkIdpClaimsText.ts';
import { verifyIdpToken } from './verifyIdpToken.ts';
import { consumeState } from './consumeState.ts';
import { redirectToToolLogin } from './redirectToToolLogin.ts';
import { resolveTool } from './resolveTool.ts';

/** `GET /callback` (the IdP's redirect_uri), step by step. */
export const CALLBACK = launcherPipeline<CallbackContext>([
  resolvePlatform,
  consumeState,
  resolveTool,
  readIdpAnswer,
  checkIdpConfig,
  verifyIdpToken,
  checkIdpClaimsText,
  checkContextUser,
  redirectToToolLogin,
]);

export function callback(launcher: Launcher, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const query = request.query as Record<string, unknown>;
  return answerPipeline(CALLBACK, { launcher, request, reply, launchId: null, query }, launcher.services);
}
