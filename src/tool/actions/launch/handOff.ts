import { CLAIM } from '../../../lti/claims.ts';
import { html, page } from '../../../web/html.ts';
import { summarizeLaunch } from '../../launchSummary.ts';
import { secret } from '../../model/loginStates.ts';
import { permissionsFor } from '../../permissions.ts';
import type { Step } from '../pipeline.ts';
import type { LaunchContext } from './context.ts';

/** Lifetime of a signed launch JWT: the browser posts it to the app at once. */
export const LAUNCH_JWT_TTL_SECONDS = 60;

/** The query parameter / form field that carries the hand-off to the app. */
export const HANDOFF_CODE_PARAM = 'launch_code';
export const HANDOFF_JWT_FIELD = 'launch_token';

/**
 * After a valid launch: the browser goes on to the app with a one-time code (redirect), or with a
 * launch JWT signed by the gateway (auto-submitted form), as the app is configured. The launch
 * ends here, successfully, for the user its `sub` names.
 */
export const handOff: Step<LaunchContext> = { name: 'hand_off', run: handOffToApp };

async function handOffToApp(ctx: LaunchContext): Promise<void> {
  const { services, handoffs } = ctx.gateway;
  const app = ctx.app!;
  const registration = ctx.registration!;
  const payload = ctx.payload!;
  const now = Date.now();
  // check_resource_link_claims made sure it is a string of 1 to 255 characters.
  ctx.userSub = payload.sub;
  const summary = summarizeLaunch(payload, {
    registrationName: registration.name,
    clientId: registration.clientId,
    permissions: permissionsFor((payload[CLAIM.roles] as string[]) ?? [], app.permissions),
    services: ctx.services,
    now,
  });
  ctx.done = true;

  if (app.handoff === 'code') {
    const code = await handoffs.create(app.id, ctx.launchId!, summary);
    const target = new URL(app.appUrl);
    target.searchParams.set(HANDOFF_CODE_PARAM, code);
    ctx.answer = (reply) => reply.header('cache-control', 'no-store').redirect(target.href, 303);
    return;
  }

  const iat = Math.floor(now / 1000);
  const token = await services.keys.sign({
    ...summary,
    iss: services.config.publicUrl,
    aud: app.appUrl,
    sub: summary.user.sub,
    iat,
    exp: iat + LAUNCH_JWT_TTL_SECONDS,
    jti: secret(),
  });
  const nonce = ctx.reply.cspNonce;
  ctx.reply.formAction.push(new URL(app.appUrl).origin);
  const body = page(
      `Opening ${app.name}…`,
      html`<h1>Opening ${app.name}…</h1>
<form id="handoff" method="post" action="${app.appUrl}">
<input type="hidden" name="${HANDOFF_JWT_FIELD}" value="${token}">
<noscript><button type="submit">Continue</button></noscript>
</form>
<script nonce="${nonce}">document.getElementById('handoff').submit();</script>`,
      { styleNonce: nonce },
  );
  ctx.answer = (reply) => reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}
