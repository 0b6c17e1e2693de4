import type { FastifyReply } from 'fastify';
import { answerPipeline, runPipeline, type Parties, type Pipeline, type PipelineContext, type Step } from '../../pipeline/pipeline.ts';
import type { App } from '../model/apps.ts';
import type { Gateway } from '../gateway.ts';
import { platformOrigins } from '../platformOrigins.ts';
import type { Registration } from '../model/registrations.ts';

export type { Step };

/** What every step of a gateway endpoint (login, launch, redeem) reads and fills in. */
export interface FlowContext extends PipelineContext {
  gateway: Gateway;
  registration?: Registration;
  app?: App;
}

/** How an endpoint's requests are written, where it differs from the gateway's rule (see Pipeline). */
export type FlowOptions = Pick<Pipeline<FlowContext>, 'attributed' | 'logsPassedChecks'>;

/** The gateway's registration is the launch's platform, its app the tool. */
function parties(ctx: FlowContext): Parties {
  return {
    platformId: ctx.registration?.id ?? null,
    platformName: ctx.registration?.name ?? null,
    toolId: ctx.app?.id ?? null,
    toolName: ctx.app?.name ?? null,
  };
}

/** The answer is shown in the platform's frame: once the registration is known, only it may frame it. */
function allowFraming(ctx: FlowContext): void {
  if (ctx.registration) ctx.reply.frameAncestors = platformOrigins(ctx.registration);
}

/** A gateway endpoint: its steps on the one pipeline runner (src/pipeline/pipeline.ts). */
export function gatewayPipeline<C extends FlowContext>(steps: ReadonlyArray<Step<C>>, options: FlowOptions = {}): Pipeline<C> {
  return { role: 'tool', steps, parties, settle: allowFraming, ...options };
}

/** Runs a gateway endpoint's steps on the one runner. */
export async function runFlow<C extends FlowContext>(ctx: C, steps: ReadonlyArray<Step<C>>, options: FlowOptions = {}): Promise<void> {
  await runPipeline(gatewayPipeline(steps, options), ctx, ctx.gateway.services);
}

/** Runs a gateway endpoint (its pipeline, built once) and sends the answer its deciding step set. */
export function answerFlow<C extends FlowContext>(pipeline: Pipeline<C>, ctx: C): Promise<FastifyReply> {
  return answerPipeline(pipeline, ctx, ctx.gateway.services);
}
