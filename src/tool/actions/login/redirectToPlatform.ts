import { authRequestUrl } from '../../../lti/authRequest.ts';
import { platformStoragePutPage } from '../../platformStoragePages.ts';
import type { Step } from '../pipeline.ts';
import type { LoginContext } from './context.ts';

/**
 * The authentication request, with every parameter the spec requires: a redirect, or first the
 * page that keeps the binding in the platform's storage when the login offered it.
 */
export const redirectToPlatform: Step<LoginContext> = {
  name: 'redirect_to_platform',
  spec: 'Security Framework §5.1.1.2',
  run(ctx) {
    const login = ctx.login!;
    const registration = ctx.registration!;
    const url = authRequestUrl(registration.authorizationEndpoint, {
      client_id: registration.clientId,
      redirect_uri: login.targetLinkUri,
      login_hint: login.loginHint,
      lti_message_hint: login.ltiMessageHint ?? undefined,
      state: ctx.created!.state,
      nonce: ctx.created!.nonce,
    });
    const page = login.storageTarget
      ? platformStoragePutPage({
        storageTarget: login.storageTarget,
        platformOrigin: new URL(registration.authorizationEndpoint).origin,
        state: ctx.created!.state,
        binding: ctx.created!.binding,
        next: url,
        styleNonce: ctx.reply.cspNonce,
      })
      : null;
    ctx.answer = (reply) => {
      reply.header('cache-control', 'no-store');
      return page ? reply.type('text/html; charset=utf-8').send(page) : reply.redirect(url, 302);
    };
  },
};
