import { timingSafeEqual } from 'node:crypto';
import { forbidden, unauthorized, type LtiError } from '../../../lti/errors.ts';
import { hashSecret } from '../../apiKeys.ts';
import { sentLoginCookie, stateCookieName } from '../../model/loginStates.ts';
import { originAllowed, platformOrigins } from '../../platformOrigins.ts';
import { platformStorageGetPage } from '../../platformStoragePages.ts';
import { postedFrom } from '../../postedFrom.ts';
import type { Step } from '../pipeline.ts';
import type { LaunchContext } from './context.ts';

/** Without any browser binding, a launch must finish this soon after its login. */
export const UNBOUND_LAUNCH_MAX_AGE_MS = 120_000;

/**
 * The state must come back in the browser that started the login. Cookie first; else the
 * platform's storage (LTI Client Side postMessages); else, for browsers that allow neither, only
 * a fresh, single-use state is accepted. Without the cookie, a launch must also have been posted
 * by the platform's own page (or, for the storage round trip, by this gateway's): a login-CSRF
 * page that posts a state its author started is refused either way.
 */
export const bindBrowser: Step<LaunchContext> = {
  name: 'bind_browser',
  spec: 'Security Framework §5.1.1.2',
  codes: ['state_browser_mismatch', 'state_cookie_mismatch', 'launch_origin_mismatch', 'state_unbound_expired'],
  run(ctx) {
    const row = ctx.loginState!;
    // row.state is the hash of the state: cookie name and storage key come from the clear one.
    const { state, binding, storageUnavailable } = ctx.form!;
    const cookie = ctx.request.cookies[stateCookieName(state)];
    if (cookie !== undefined) {
      if (!sameHash(hashSecret(cookie), row.browser_hash)) throw mismatch();
      ctx.storage = 'cookie';
      return;
    }
    // This browser keeps the gateway's cookies, just not this login's: someone else started it.
    if (sentLoginCookie(ctx.request.cookies)) {
      throw forbidden('state_cookie_mismatch', 'This sign-in was started in another tab or browser, so it cannot be finished here. Open the link from your course again.');
    }
    const storageOffered = row.storage === 'platform_storage' && !!row.storage_target;
    if (storageOffered && (binding !== null || storageUnavailable)) {
      // The second post of the storage round trip is made by our own page, never by another site.
      checkPostedFrom(ctx, [new URL(ctx.gateway.services.config.publicUrl).origin]);
      if (binding !== null) {
        if (!sameHash(hashSecret(binding), row.browser_hash)) throw mismatch();
        ctx.storage = 'platform_storage';
        return;
      }
    } else {
      checkPostedFrom(ctx, platformOrigins(ctx.registration!));
      if (storageOffered) {
        const page = platformStorageGetPage({
          storageTarget: row.storage_target!,
          platformOrigin: new URL(ctx.registration!.authorizationEndpoint).origin,
          state,
          idToken: ctx.form!.idToken,
          action: ctx.request.url.split('?')[0],
          styleNonce: ctx.reply.cspNonce,
        });
        ctx.answer = (reply) => reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page);
        return;
      }
    }
    const startedAt = row.expires_at - ctx.gateway.services.config.loginStateTtlSeconds * 1000;
    if (Date.now() - startedAt > UNBOUND_LAUNCH_MAX_AGE_MS) {
      throw unauthorized('state_unbound_expired', 'Your browser did not keep this launch’s sign-in data (cookies blocked), and without it a launch must finish within two minutes. Open the link again.');
    }
    ctx.storage = 'none';
  },
};

/** A launch without its cookie must come from one of these origins, as the browser says (see postedFrom). */
function checkPostedFrom(ctx: LaunchContext, allowed: string[]): void {
  const from = postedFrom(ctx.request.headers, new URL(ctx.gateway.services.config.publicUrl).origin);
  if (from !== null && originAllowed(from, allowed)) return;
  throw forbidden(
    'launch_origin_mismatch',
    'This launch was not sent by your course platform but by another site, so it was refused. Open the link from your course again.',
    `posted from ${from ?? 'an origin the browser did not say (no Origin, Sec-Fetch-Site or Referer)'}; accepted: ${allowed.join(', ')}`,
  );
}

function mismatch(): LtiError {
  return unauthorized('state_browser_mismatch', 'This launch was started in a different browser or tab. Open the link from your course again.');
}

function sameHash(a: string, b: string | null): boolean {
  return b !== null && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
