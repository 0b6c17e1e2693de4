import { runPipeline, type Parties, type Pipeline, type PipelineContext, type Step } from '../pipeline/pipeline.ts';
import type { App } from './apps.ts';
import type { Gateway } from './gateway.ts';
import { platformOrigins } from './platformOrigins.ts';
import type { Registration } from './registrations.ts';

export type { Step };

/** What every step of a gateway endpoint (login, launch, redeem) reads and fills in. */
export interface FlowContext extends PipelineContext {
  gateway: Gateway;
  registration?: Registration;
  app?: App;
}

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
export function gatewayPipeline<C extends FlowContext>(steps: ReadonlyArray<Step<C>>): Pipeline<C> {
  return { role: 'tool', steps, parties, settle: allowFraming };
}

/** Runs gateway steps on the one runner; `start` opens a new launch-log entry first (a login). */
export async function runFlow<C extends FlowContext>(ctx: C, steps: ReadonlyArray<Step<C>>, options: { start?: string } = {}): Promise<void> {
  const all: Array<Step<C>> = options.start ? [{ name: options.start, opens: true }, ...steps] : [...steps];
  await runPipeline(gatewayPipeline(all), ctx, ctx.gateway.services);
}
