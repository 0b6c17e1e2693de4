import { answerPipeline } from '../../pipeline/pipeline.ts';
import { LtiError } from '../../lti/errors.ts';
import type { AccessToken } from '../model/accessTokens.ts';
import { launcherPipeline, type LauncherContext, type Step } from './context.ts';

/**
 * What every step of a service endpoint (AGS, NRPS: what a tool calls with an access token of the
 * token endpoint) reads and fills in. `platform` is the one the address names, `tool` the one the
 * token was issued to: a service step reads only that tool's data in that platform's contexts.
 */
export interface ServiceContext extends LauncherContext {
  accessToken?: AccessToken;
  /** The scopes the endpoint accepts (any one will do), named in a 403's WWW-Authenticate. */
  neededScopes?: readonly string[];
}

/** A service endpoint: its steps on the one pipeline runner, refusals in the tool's launch log. */
export const servicePipeline = launcherPipeline as <C extends ServiceContext>(steps: ReadonlyArray<Step<C>>) => ReturnType<typeof launcherPipeline<C>>;

/**
 * Runs a service endpoint and sends its answer. A refusal is answered as JSON by the server's error
 * handler (service paths are under `/api/`); a token refusal also carries the Bearer challenge of
 * RFC 6750 §3: `invalid_token` for an unknown, expired or other platform's token, `insufficient_scope`
 * with the scopes that would do for a token without them, and no error code when none was sent.
 */
export async function answerService<C extends ServiceContext>(pipeline: ReturnType<typeof servicePipeline<C>>, ctx: C) {
  try {
    return await answerPipeline(pipeline, ctx, ctx.launcher.services);
  } catch (err) {
    if (err instanceof LtiError) {
      const challenge = bearerChallenge(err.code, ctx.neededScopes ?? []);
      if (challenge) ctx.reply.header('www-authenticate', challenge);
    }
    throw err;
  }
}

function bearerChallenge(code: string, neededScopes: readonly string[]): string | null {
  const realm = 'realm="lti-services"';
  if (code === 'access_token_missing') return `Bearer ${realm}`;
  if (code === 'access_token_invalid') return `Bearer ${realm}, error="invalid_token"`;
  if (code === 'access_token_scope_insufficient') return `Bearer ${realm}, error="insufficient_scope", scope="${neededScopes.join(' ')}"`;
  return null;
}
