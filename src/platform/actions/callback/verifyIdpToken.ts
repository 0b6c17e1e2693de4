import * as client from 'openid-client';
import { unauthorized } from '../../../lti/errors.ts';
import { idpFailure } from '../../idp.ts';
import { platformBaseUrl } from '../../tenancy.ts';
import type { Step } from '../context.ts';
import type { CallbackContext } from './context.ts';

/**
 * The code exchanged at the IdP's token endpoint (PKCE, state, nonce) and its id_token verified by
 * openid-client, signature included; then its `iat` is bounded.
 */
export const verifyIdpToken: Step<CallbackContext> = {
  name: 'verify_idp_token',
  spec: 'OpenID Connect Core §3.1.3.7 (id_token validation)',
  codes: ['idp_token_invalid', 'idp_code_rejected', 'idp_unavailable', 'idp_url_refused'],
  async run(ctx) {
    const { config } = ctx.launcher.services;
    const pending = ctx.pending!;
    const currentUrl = new URL(`${platformBaseUrl(config, ctx.platform!.slug)}/callback`);
    for (const [k, v] of Object.entries(ctx.query)) if (typeof v === 'string') currentUrl.searchParams.set(k, v);
    try {
      const tokens = await client.authorizationCodeGrant(ctx.idp!, currentUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: ctx.state!,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new Error('no id_token');
      checkIssuedAt(claims.iat, config.clockSkewSeconds);
      ctx.claims = claims as Record<string, unknown> & { sub: string };
    } catch (err) {
      throw idpFailure(err, 'code exchange (token endpoint, key set)');
    }
  },
};

/**
 * The IdP just issued this id_token for our code: an old or future `iat` means a replayed or forged
 * token. Shorter than the gateway's bound on an LMS's id_token (LTI_ID_TOKEN_MAX_AGE_SECONDS, an
 * hour): this one is never stored or carried, it answers a code exchange made a moment ago.
 */
export const IDP_ID_TOKEN_MAX_AGE_SECONDS = 600;

function checkIssuedAt(iat: unknown, skewSeconds: number): void {
  const now = Math.floor(Date.now() / 1000);
  if (typeof iat !== 'number' || iat > now + skewSeconds || iat < now - IDP_ID_TOKEN_MAX_AGE_SECONDS - skewSeconds) {
    throw unauthorized('idp_token_invalid', 'The answer of the sign-in service could not be verified, so you were not signed in.', `id_token iat ${String(iat)} is outside the accepted window`);
  }
}
