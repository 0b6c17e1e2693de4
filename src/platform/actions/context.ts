import type { Parties, Pipeline, PipelineContext, Step } from '../../pipeline/pipeline.ts';
import type { Launcher } from '../launcher.ts';
import type { Platform } from '../model/platforms.ts';
import type { Tool } from '../model/tools.ts';

export type { Step };

/** What every step of a launcher endpoint reads and fills in. */
export interface LauncherContext extends PipelineContext {
  launcher: Launcher;
  platform?: Platform;
  tool?: Tool;
  /**
   * The tool a request names before the tool itself is read (a used or expired state names a real
   * launch): its refusal still goes in that tool's launch log.
   */
  toolId?: string;
}

function parties(ctx: LauncherContext): Parties {
  return {
    platformId: ctx.platform?.id ?? null,
    platformName: ctx.platform?.name ?? null,
    toolId: ctx.tool?.id ?? ctx.toolId ?? null,
    toolName: ctx.tool?.name ?? null,
  };
}

/** A launcher endpoint: its steps on the one pipeline runner (src/pipeline/pipeline.ts). */
export function launcherPipeline<C extends LauncherContext>(steps: ReadonlyArray<Step<C>>): Pipeline<C> {
  return { role: 'platform', steps, parties };
}
