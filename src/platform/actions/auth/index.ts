import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerPipeline } from '../../../pipeline/pipeline.ts';
import type { Launcher } from '../../launcher.ts';
import { launcherPipeline } from '../context.ts';
import { resolvePlatform } from '../steps/resolvePlatform.ts';
import { checkClient } from './checkClient.ts';
import { checkRedirectUri } from './checkRedirectUri.ts';
import { readAuthRequest } from './readAuthRequest.ts';
import type { AuthContext } from './context.ts';
import { postIdToken, signIdToken } from './idToken.ts';
import { consumeLoginHint } from './consumeLoginHint.ts';
import { checkMessageHint } from './checkMessageHint.ts';
import { checkNonce, useNonce } from './nonce.ts';
import { recordMembership } from './recordMembership.ts';
import { checkPrompt, checkResponseMode, checkResponseType, checkScope } from './requestShape.ts';

/** `GET|POST /auth`, the OIDC authorization endpoint tools send the browser to, step by step. */
export const AUTH = launcherPipeline<AuthContext>([
  resolvePlatform,
  readAuthRequest,
  checkClient,
  checkScope,
  checkResponseType,
  checkResponseMode,
  checkPrompt,
  checkRedirectUri,
  consumeLoginHint,
  checkMessageHint,
  checkNonce,
  useNonce,
  signIdToken,
  recordMembership,
  postIdToken,
]);

export function authorize(launcher: Launcher, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = request.method === 'POST' ? request.body : request.query;
  return answerPipeline(AUTH, { launcher, request, reply, launchId: null, params }, launcher.services);
}
