import { answerPipeline, type Parties, type Pipeline } from '../../pipeline/pipeline.ts';
import { LtiError } from '../../lti/errors.ts';
import type { Step } from './context.ts';
import type { PortalContext } from './steps/authenticatePortal.ts';

export type { PortalContext };

/**
 * Who a portal API call is from: its platform, once the portal's token is verified. Before that
 * anyone could have sent it, so a refusal is only counted (`lti_refused_requests_total`), never
 * written to the launch log; after it, a refusal (a bad roster) is the platform's entry.
 */
function parties(ctx: PortalContext): Parties {
  const platform = ctx.portalAuthenticated ? ctx.platform : undefined;
  return { platformId: platform?.id ?? null, platformName: platform?.name ?? null, toolId: null, toolName: null };
}

/** A portal API endpoint (src/platform/plugin.ts mounts them under `/api/v1/`): its steps on the one runner. */
export function portalPipeline<C extends PortalContext>(steps: ReadonlyArray<Step<C>>): Pipeline<C> {
  return { role: 'platform', steps, parties, attributed: ({ platformId }) => platformId !== null };
}

/**
 * Runs a portal API endpoint and sends its answer; a refusal is JSON (the path is under `/api/`),
 * a token refusal with the Bearer challenge of RFC 6750 §3.
 */
export async function answerPortal<C extends PortalContext>(pipeline: Pipeline<C>, ctx: C) {
  try {
    return await answerPipeline(pipeline, ctx, ctx.launcher.services);
  } catch (err) {
    if (err instanceof LtiError && err.code.startsWith('portal_token_')) ctx.reply.header('www-authenticate', 'Bearer realm="portal-api", error="invalid_token"');
    throw err;
  }
}
