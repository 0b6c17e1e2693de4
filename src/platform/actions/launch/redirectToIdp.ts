import * as client from 'openid-client';
import { browserHash, ensureBrowserId } from '../../browser.ts';
import { hashToken } from '../../hashToken.ts';
import { platformBaseUrl } from '../../tenancy.ts';
import type { Step } from '../context.ts';
import type { LaunchContext } from './context.ts';

/**
 * The pending launch (state hashed, PKCE verifier sealed, nonce, this browser) and the redirect to
 * the IdP's authorization endpoint (authorization code flow with PKCE).
 */
export const redirectToIdp: Step<LaunchContext> = {
  name: 'redirect_to_idp',
  async run(ctx) {
    const { config, box } = ctx.launcher.services;
    const platform = ctx.platform!;
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const browser = ensureBrowserId(ctx.request, ctx.reply, box);
    await ctx.launcher.pendingLaunches.create({
      stateHash: hashToken(state),
      launchId: ctx.launchId!,
      platformId: platform.id,
      toolId: ctx.tool!.id,
      contextClaims: ctx.context!.claims,
      contextSub: ctx.context!.forUser,
      codeVerifierSealed: await box.seal(codeVerifier),
      nonce,
      browserHash: browserHash(browser),
      expiresAt: Date.now() + config.loginStateTtlSeconds * 1000,
    });
    const url = client.buildAuthorizationUrl(ctx.idp!, {
      redirect_uri: `${platformBaseUrl(config, platform.slug)}/callback`,
      scope: 'openid profile email',
      response_type: 'code',
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    ctx.answer = (reply) => {
      reply.header('cache-control', 'no-store');
      return reply.redirect(url.href, 303);
    };
  },
};
