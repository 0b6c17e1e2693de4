import type { FastifyReply, FastifyRequest } from 'fastify';
import { StepRecorder } from '../pipeline/steps.ts';
import type { App } from './apps.ts';
import type { Gateway } from './gateway.ts';
import { platformOrigins } from './platformOrigins.ts';
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
export async function runFlow<C extends FlowContext>(ctx: C, steps: Array<Step<C>>, options: { start?: string } = {}): Promise<void> {
  const recorder = new StepRecorder(ctx.gateway.services, ctx.request, 'tool');
  // A new launch (a login): its entry is written with this request's steps, in one statement.
  if (options.start) ctx.launchId = await recorder.start(options.start);
  for (const step of steps) {
    // Awaited here rather than through recorder.step: one await per step on the launch path.
    const stop = recorder.time(step.name);
    try {
      await step.run(ctx);
    } catch (err) {
      stop();
      identify(recorder, ctx);
      allowFraming(ctx);
      throw await recorder.fail(step.name, err);
    }
    stop();
    recorder.pass(step.name);
    if (ctx.answer) break;
  }
  identify(recorder, ctx);
  allowFraming(ctx);
  await recorder.finish({ storage: ctx.storage, userSub: ctx.userSub, done: ctx.done });
}

/** What the steps have learnt so far; the gateway's registration is the launch's platform, its app the tool. */
function identify(recorder: StepRecorder, ctx: FlowContext): void {
  recorder.launchId = ctx.launchId;
  recorder.platformId = ctx.registration?.id ?? null;
  recorder.platformName = ctx.registration?.name ?? null;
  recorder.toolId = ctx.app?.id ?? null;
  recorder.toolName = ctx.app?.name ?? null;
}

/** The answer is shown in the platform's frame: once the registration is known, only it may frame it. */
function allowFraming(ctx: FlowContext): void {
  if (ctx.registration) ctx.reply.frameAncestors = platformOrigins(ctx.registration);
}
