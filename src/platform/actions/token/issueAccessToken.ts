import { ACCESS_TOKEN_LIFETIME_SECONDS } from '../../model/accessTokens.ts';
import type { Step } from '../context.ts';
import type { TokenContext } from './context.ts';

/**
 * An access token for the granted scopes, bound to the tool and its platform (stored hashed, valid
 * on every instance for an hour), answered as RFC 6749 §5.1 says: never cached.
 */
export const issueAccessToken: Step<TokenContext> = {
  name: 'issue_access_token',
  spec: 'Security Framework §4.1.1; RFC 6749 §5.1',
  async run(ctx) {
    const scopes = ctx.granted!;
    const { token } = await ctx.launcher.accessTokens.issue({ platformId: ctx.platform!.id, toolId: ctx.tool!.id, scopes });
    ctx.answer = (reply) =>
      reply
        .header('cache-control', 'no-store')
        .header('pragma', 'no-cache')
        .type('application/json; charset=utf-8')
        .send({ access_token: token, token_type: 'Bearer', expires_in: ACCESS_TOKEN_LIFETIME_SECONDS, scope: scopes.join(' ') });
  },
};
