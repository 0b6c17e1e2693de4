import type { FastifyReply } from 'fastify';
import type { Pipeline } from '../../../pipeline/pipeline.ts';
import { authenticateApp } from '../redeem/authenticateApp.ts';
import { answerFlow, gatewayPipeline, type FlowOptions, type Step } from '../pipeline.ts';
import { checkServiceScope, type ServiceNeed } from './checkServiceScope.ts';
import type { AppApiContext } from './context.ts';
import { findServiceContext } from './findServiceContext.ts';

/**
 * How app API calls are written, by the hand-off redeem's rule (`attributed`): a call is tied to no
 * launch, only to its app. Without a valid API key it is anonymous — anyone can send one — so it is
 * only counted (`lti_refused_requests_total`, code `api_key_invalid`). Once the key names the app,
 * a refusal is the app's: written to the launch log as an entry of its own (with the registration
 * once the context named it), so an admin asking "why did the grades not arrive?" reads the LMS's
 * answer there, and counted in `lti_launches_total` with its code. A call that succeeds writes
 * nothing: it is no launch, and an app polling the roster must not fill the launch log.
 */
const APP_API_RECORDING: FlowOptions = {
  attributed: ({ toolId }) => toolId !== null,
  logsPassedChecks: false,
};

/**
 * The first steps of every app API call: the app, its context, and whether the LMS offers the call's
 * scope — none calls the LMS. The endpoint's own steps follow (its input read, then get_access_token,
 * then the call to the LMS).
 */
export function serviceSteps(need: ServiceNeed): ReadonlyArray<Step<AppApiContext>> {
  return [authenticateApp, findServiceContext, checkServiceScope(need)];
}

export function appApiPipeline<C extends AppApiContext>(steps: ReadonlyArray<Step<C>>): Pipeline<C> {
  return gatewayPipeline(steps, APP_API_RECORDING);
}

export function handleAppApi<C extends AppApiContext>(pipeline: Pipeline<C>, input: Omit<C, 'launchId'>): Promise<FastifyReply> {
  const ctx = { ...input, launchId: null } as C;
  // Rosters and grades, a refusal as well: never cached.
  ctx.reply.header('cache-control', 'no-store');
  return answerFlow(pipeline, ctx);
}
