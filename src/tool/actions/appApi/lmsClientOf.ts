import type { LmsClient } from '../../clients/lmsClient.ts';
import type { AppApiContext } from './context.ts';

/**
 * The LMS client of an app API call: the server's outbound fetch (its URL policy) and the context's
 * access token from check_service_scope, one token for all the context's scopes; after a 401 it is
 * dropped (only that one: a newer one another instance got stays) and the token client asked again.
 */
export function lmsClientOf(ctx: AppApiContext): LmsClient {
  const { gateway } = ctx;
  const registration = ctx.registration!;
  const scopes = ctx.scopes!;
  let current: string | null = ctx.token!.accessToken;
  return {
    fetch: gateway.services.fetch,
    async getToken() {
      current ??= (await gateway.accessTokens.tokenFor(registration, scopes)).accessToken;
      return current;
    },
    async invalidate(_scopes, refused) {
      current = null;
      await gateway.accessTokens.invalidate(registration, scopes, refused);
    },
  };
}
