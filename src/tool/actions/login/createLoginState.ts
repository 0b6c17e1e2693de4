import { STATE_COOKIE_PATH, stateCookieName } from '../../model/loginStates.ts';
import type { Step } from '../pipeline.ts';
import type { LoginContext } from './context.ts';

/** state and nonce kept server-side; the browser keeps the binding secret (cookie, and platform storage when offered). */
export const createLoginState: Step<LoginContext> = {
  name: 'create_login_state',
  spec: 'Security Framework §5.1.1.2',
  async run(ctx) {
    const { config } = ctx.gateway.services;
    const login = ctx.login!;
    ctx.created = await ctx.gateway.loginStates.create({
      launchId: ctx.launchId!,
      registrationId: ctx.registration!.id,
      targetLinkUri: login.targetLinkUri,
      storage: login.storageTarget ? 'platform_storage' : 'cookie',
      storageTarget: login.storageTarget,
      ttlSeconds: config.loginStateTtlSeconds,
    });
    // The launch is a cross-site form post inside the LMS frame: only SameSite=None cookies come back with it.
    ctx.reply.setCookie(stateCookieName(ctx.created.state), ctx.created.binding, {
      path: STATE_COOKIE_PATH,
      httpOnly: true,
      secure: true,
      sameSite: 'none',
      maxAge: config.loginStateTtlSeconds,
    });
  },
};
