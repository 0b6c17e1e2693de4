import type { FastifyReply, FastifyRequest } from 'fastify';
import { LtiError, databaseUnavailable } from '../lti/errors.ts';
import { isDatabaseUnavailable } from '../store/db.ts';
import type { App } from './apps.ts';
import type { Gateway } from './gateway.ts';
import type { Registration } from './registrations.ts';

/** What every step of a gateway flow (login, launch) reads and fills in. */
export interface FlowContext {
  gateway: Gateway;
  request: FastifyRequest;
  reply: FastifyReply;
  /** The launch-log entry; null until the flow knows which launch this is. */
  launchId: string | null;
  registration?: Registration;
  app?: App;
  /**
   * Set by a step that decides the answer (a redirect, a page): the flow ends there, successfully,
   * and the answer is sent only once the launch log is written.
   */
  answer?: (reply: FastifyReply) => FastifyReply;
  /** Set by the last step of a launch: the launch log entry ends as a success. */
  done?: boolean;
  /** How the browser was bound to its login state (launch log `storage`). */
  storage?: string;
  userSub?: string;
}

export interface Step<C extends FlowContext> {
  name: string;
  run(ctx: C): Promise<void> | void;
}

/**
 * Runs a flow's steps in order. Each step is recorded in the launch log; the first failure ends
 * the flow with its step name and code in the log and metrics, and is rethrown for the error page.
 */
export async function runFlow<C extends FlowContext>(ctx: C, steps: Array<Step<C>>): Promise<void> {
  const { launchLog, metrics } = ctx.gateway.services;
  // Passed steps are written together, once per request (or with the failure): one statement
  // instead of one per step. Steps that ran before the flow knew its launch are included.
  const passed: Array<{ step: string; at: number }> = [];
  for (const step of steps) {
    const stopTimer = metrics.stepSeconds.startTimer({ role: 'tool', step: step.name });
    try {
      await step.run(ctx);
    } catch (err) {
      stopTimer();
      const failure =
        err instanceof LtiError
          ? err
          : isDatabaseUnavailable(err)
            ? databaseUnavailable()
            : new LtiError('internal_error', 500, 'Something went wrong on our side.');
      const failed = { code: failure.code, message: failure.message };
      try {
        if (ctx.launchId) {
          await launchLog.step(ctx.launchId, step.name, {
            failed, passed: passed.splice(0), toolId: ctx.app?.id, platformId: ctx.registration?.id, requestId: ctx.request.id,
          });
        } else {
          ctx.launchId = await launchLog.failure({
            role: 'tool', step: step.name, ...failed,
            platformId: ctx.registration?.id ?? null, toolId: ctx.app?.id ?? null, requestId: ctx.request.id,
          });
        }
      } catch (logErr) {
        ctx.request.log.error({ err: logErr }, 'could not write the launch log');
      }
      metrics.launches.inc({ role: 'tool', outcome: 'failure', code: failure.code });
      failure.context = { tool: ctx.app?.name ?? null, platform: ctx.registration?.name ?? null };
      if (!(err instanceof LtiError)) ctx.request.log.error({ err, step: step.name }, 'launch step failed unexpectedly');
      throw failure;
    }
    stopTimer();
    passed.push({ step: step.name, at: Date.now() });
    if (ctx.answer) break;
  }
  if (ctx.launchId && passed.length > 0) {
    const last = passed.pop()!;
    await launchLog.step(ctx.launchId, last.step, {
      passed, platformId: ctx.registration?.id, toolId: ctx.app?.id, storage: ctx.storage, userSub: ctx.userSub, done: ctx.done,
      requestId: ctx.request.id,
    });
  }
  if (ctx.done) metrics.launches.inc({ role: 'tool', outcome: 'success', code: '' });
}
