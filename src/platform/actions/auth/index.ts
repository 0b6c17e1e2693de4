import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerPipeline } from '../../../pipeline/pipeline.ts';
import type { Launcher } from '../../launcher.ts';
import { launcherPipeline } from '../context.ts';
import { platformResolved } from '../steps/platformResolved.ts';
import { authClient } from './authClient.ts';
import { authRedirectUri } from './authRedirectUri.ts';
import { authRequestParsed } from './authRequestParsed.ts';
import type { AuthContext } from './context.ts';
import { idTokenPosted, idTokenSigned } from './idToken.ts';
import { loginHint } from './loginHint.ts';
import { messageHint } from './messageHint.ts';
import { nonce, nonceUnused } from './nonce.ts';
import { membershipRecorded } from './membershipRecorded.ts';
import { authPrompt, authResponseMode, authResponseType, authScope } from './requestShape.ts';

/** `GET|POST /auth`, the OIDC authorization endpoint tools send the browser to, step by step. */
export const AUTH = launcherPipeline<AuthContext>([
  platformResolved,
  authRequestParsed,
  authClient,
  authScope,
  authResponseType,
  authResponseMode,
  authPrompt,
  authRedirectUri,
  loginHint,
  messageHint,
  nonce,
  nonceUnused,
  idTokenSigned,
  membershipRecorded,
  idTokenPosted,
]);

export function authorize(launcher: Launcher, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = request.method === 'POST' ? request.body : request.query;
  return answerPipeline(AUTH, { launcher, request, reply, launchId: null, params }, launcher.services);
}
