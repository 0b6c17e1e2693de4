import { badRequest } from '../../../lti/errors.ts';
import { verifyContextToken, type VerifiedContext } from '../../context/token.ts';
import { platformBaseUrl, platformIssuer } from '../../tenancy.ts';
import type { Step } from '../context.ts';
import type { LaunchContext } from './context.ts';

const NO_CONTEXT: VerifiedContext = { claims: {}, forUser: null, jti: null, exp: 0 };

/**
 * The portal's context JWT, when the link has one: signed by the platform's key, for this
 * launcher (`aud`), short-lived, privileges only with `sub` (src/platform/context/token.ts).
 */
export const verifyContext: Step<LaunchContext> = {
  name: 'verify_context',
  codes: [
    'context_malformed', 'context_signature_invalid', 'context_key_unknown', 'context_alg_forbidden', 'context_expired',
    'context_not_yet_valid', 'context_exp_missing', 'context_lifetime_too_long', 'context_audience_missing',
    'context_audience_invalid', 'context_privilege_unbound', 'context_url_invalid', 'context_claim_forbidden',
    'context_claim_invalid', 'context_keys_unavailable', 'context_jwks_invalid', 'context_keys_missing',
  ],
  async run(ctx) {
    const token = ctx.contextToken;
    if (token === undefined || token === '') {
      ctx.context = NO_CONTEXT;
      return;
    }
    if (typeof token !== 'string') throw badRequest('context_malformed', 'The link carries more than one course context.');
    const { config } = ctx.launcher.services;
    const platform = ctx.platform!;
    ctx.context = await verifyContextToken(token, ctx.launcher.contextKeys.of(platform), {
      clockTolerance: config.clockSkewSeconds,
      audiences: [platformIssuer(config, platform.slug), platformBaseUrl(config, platform.slug), `${config.publicUrl}/p/${platform.slug}`],
      maxLifetimeSeconds: config.contextMaxLifetimeSeconds,
    });
  },
};
