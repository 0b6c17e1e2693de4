import type { FastifyReply } from 'fastify';
import { answerFlow, gatewayPipeline, type Step } from '../pipeline.ts';
import { checkDeploymentId } from './checkDeploymentId.ts';
import { checkTargetLinkUri } from './checkTargetLinkUri.ts';
import type { LoginContext } from './context.ts';
import { createLoginState } from './createLoginState.ts';
import { findRegistration } from './findRegistration.ts';
import { readLoginRequest } from './readLoginRequest.ts';
import { redirectToPlatform } from './redirectToPlatform.ts';

/**
 * `GET`/`POST /lti/login`: third-party initiated login (LTI Core 1.3 §4.1; Security Framework
 * §5.1.1), the first request of a launch. It opens the launch's entry in the launch log.
 */
export const LOGIN_STEPS: ReadonlyArray<Step<LoginContext>> = [
  { name: 'login_received', opens: true },
  readLoginRequest,
  findRegistration,
  checkTargetLinkUri,
  checkDeploymentId,
  createLoginState,
  redirectToPlatform,
];

const LOGIN = gatewayPipeline(LOGIN_STEPS);

export function handleLogin(input: Omit<LoginContext, 'launchId'>): Promise<FastifyReply> {
  const ctx: LoginContext = { ...input, launchId: null };
  return answerFlow(LOGIN, ctx);
}
