import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FailureCode } from '../lti/failureCodes.ts';
import type { LaunchRole, LaunchStep } from '../store/launchLog.ts';
import { StepRecorder, type Attribution, type RecorderServices } from './steps.ts';

/**
 * The one way a validating endpoint of either role runs (the launcher's /launch, /callback, /auth
 * and test launches; the gateway's /lti/login, /lti/launch and the hand-off redeem; the services to
 * come): an ordered list of small named steps over one context, each timed and recorded in the
 * launch log, the first failure ending the request — as panva/node-oidc-provider builds
 * `lib/actions/authorization/`. Each endpoint lives in `actions/<endpoint>/index.ts` of its role,
 * one file per step beside it.
 */
export interface Step<C> {
  /** The launch log's and the metrics' name of the step. */
  name: string;
  /** The rule of the standard the step checks, when it checks one ('Security Framework §5.1.3 step 2'). */
  spec?: string;
  /** The failure codes the step ends a request with (README, "Troubleshooting launches"). */
  codes?: readonly FailureCode[];
  /**
   * The step opens the launch's entry in the launch log: the first request of a launch. Its name is
   * the entry's first step; the steps before it (which only found the platform and tool) are not kept.
   */
  opens?: true;
  run?(ctx: C): Promise<void> | void;
}

/** Who the launch is between, as the launch log and the error page name them. */
export interface Parties {
  platformId: string | null;
  platformName: string | null;
  toolId: string | null;
  toolName: string | null;
}

/** What every step of every endpoint reads and fills in; each endpoint adds its own fields. */
export interface PipelineContext {
  request: FastifyRequest;
  reply: FastifyReply;
  /** The launch-log entry; null until a step knows which launch this is, or a step opens one. */
  launchId: string | null;
  /** A test launch, started from the admin console (the entry is marked `test`). */
  test?: boolean;
  /**
   * Set by a step that decides the answer (a redirect, a page, a JSON body): the pipeline ends
   * there, successfully, and the answer is sent only once the launch log is written.
   */
  answer?: (reply: FastifyReply) => FastifyReply;
  /** The launch ends here, successfully. */
  done?: boolean;
  /** How the browser was bound to its login state (launch log `storage`, the gateway). */
  storage?: string;
  userSub?: string;
  /** What the last step found, kept with it in the launch log. */
  info?: Pick<LaunchStep, 'idp_roles'>;
  /** Marks the launch for an admin's eye (see LaunchEntry.warning). */
  warning?: string;
}

/** An endpoint: its role, its steps in order, and how its context names the launch's parties. */
export interface Pipeline<C extends PipelineContext> {
  role: LaunchRole;
  steps: ReadonlyArray<Step<C>>;
  parties(ctx: C): Parties;
  /** Runs once the request ends, passed or failed, before the answer or the error page (framing). */
  settle?(ctx: C): void;
  /**
   * Which failures are written to the launch log, when not the role's rule (ROLE_ATTRIBUTION in
   * steps.ts): the hand-off redeem's request is tied to a launch by its app, not by a platform.
   */
  attributed?: Attribution;
  /**
   * false: a request writes only the step it ends on, not the checks it passed on the way (the
   * hand-off redeem adds one step to its launch, as it always has). Every step is timed either way.
   */
  logsPassedChecks?: boolean;
}

/**
 * Runs an endpoint's steps in order. Each step is timed and kept; the request's steps are written
 * to the launch log in one statement, with its last step or its failure; the first failure ends
 * the pipeline with its step name and code in the log and metrics, and is rethrown (as the
 * LtiError the error page shows).
 */
export async function runPipeline<C extends PipelineContext>(pipeline: Pipeline<C>, ctx: C, services: RecorderServices): Promise<void> {
  const recorder = new StepRecorder(services, ctx.request, pipeline.role, {
    attributed: pipeline.attributed,
    logsPassedChecks: pipeline.logsPassedChecks,
  });
  for (const step of pipeline.steps) {
    if (step.opens) {
      ctx.launchId = await recorder.start(step.name, ctx.test === true);
      continue;
    }
    // Awaited here rather than through recorder.step: one await per step on the launch path.
    const stop = recorder.time(step.name);
    try {
      await step.run?.(ctx);
    } catch (err) {
      stop();
      settle(pipeline, recorder, ctx);
      throw await recorder.fail(step.name, err);
    }
    stop();
    recorder.pass(step.name);
    if (ctx.answer) break;
  }
  settle(pipeline, recorder, ctx);
  await recorder.finish({ storage: ctx.storage, userSub: ctx.userSub, done: ctx.done, info: ctx.info, warning: ctx.warning });
}

function settle<C extends PipelineContext>(pipeline: Pipeline<C>, recorder: StepRecorder, ctx: C): void {
  Object.assign(recorder, pipeline.parties(ctx));
  recorder.launchId = ctx.launchId;
  pipeline.settle?.(ctx);
}

/** Runs a pipeline and sends its answer. */
export async function answerPipeline<C extends PipelineContext>(pipeline: Pipeline<C>, ctx: C, services: RecorderServices): Promise<FastifyReply> {
  await runPipeline(pipeline, ctx, services);
  return ctx.answer!(ctx.reply);
}
