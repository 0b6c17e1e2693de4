import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { compactVerify, decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { CLAIM } from '../lti/claims.ts';
import { LtiError, badRequest, forbidden, unauthorized } from '../lti/errors.ts';
import { LTI_ID_TOKEN_ALGS } from '../lti/algorithms.ts';
import { checkAlgorithm, ID_TOKEN_CHECKS, type IdTokenExpectations, nonceRetentionUntil } from '../lti/idTokenChecks.ts';
import { refuseNul } from '../lti/nulCheck.ts';
import type { LoginStateTable } from '../store/schema.ts';
import { useNonce } from '../store/nonces.ts';
import { hashSecret } from './apiKeys.ts';
import { runFlow, type FlowContext, type Step } from './flow.ts';
import { handOff } from './handOff.ts';
import { gatewayLaunchTarget } from './launchTarget.ts';
import { STATE_COOKIE_PATH, sentLoginCookie, stateCookieName } from './loginStates.ts';
import { originAllowed, platformOrigins } from './platformOrigins.ts';
import { platformStorageGetPage } from './platformStoragePages.ts';
import { postedFrom } from './postedFrom.ts';

/** `POST /lti/launch[/<slug>]`: the id_token validation of Security Framework §5.1.3, step by step. */
export interface LaunchContext extends FlowContext {
  /** From the route `/lti/launch/<slug>`; null on the routing URL `/lti/launch`. */
  slug: string | null;
  body: Record<string, unknown>;
  form?: { idToken: string; state: string; binding: string | null; storageUnavailable: boolean };
  loginState?: LoginStateTable;
  header?: ProtectedHeaderParameters;
  payload?: JWTPayload;
}

/** Without any browser binding, a launch must finish this soon after its login. */
export const UNBOUND_LAUNCH_MAX_AGE_MS = 120_000;

const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null);

const readForm: Step<LaunchContext> = {
  name: 'read_launch_form',
  run(ctx) {
    const { body } = ctx;
    // Security Framework §5.1.1.5: a platform may answer the authentication request with an error.
    const error = text(body.error);
    if (error) {
      // The platform's words come through the browser, so anyone can write them: quoted apart, never our sentence.
      throw badRequest('platform_error', 'The platform refused the launch. Open the link from your course again; if it keeps failing, tell the course platform\'s administrator.')
        .saying({ error, error_description: text(body.error_description) });
    }
    const idToken = text(body.id_token);
    if (!idToken) throw badRequest('id_token_missing', 'The launch carries no id_token. Open the link from your course again.');
    const state = text(body.state);
    if (!state) throw badRequest('state_missing', 'The launch carries no state. Open the link from your course again.');
    ctx.form = { idToken, state, binding: text(body.lti_storage_binding), storageUnavailable: body.lti_storage_unavailable === '1' };
  },
};

/** The state names a login this gateway started, not yet used and not expired. */
const findLoginState: Step<LaunchContext> = {
  name: 'find_login_state',
  async run(ctx) {
    const row = await ctx.gateway.loginStates.find(ctx.form!.state);
    if (!row) throw unauthorized('state_unknown', 'This launch was not started here, or it was started too long ago. Open the link from your course again.');
    ctx.loginState = row;
    const registration = await ctx.gateway.registrations.find(row.registration_id);
    if (!registration) throw unauthorized('registration_removed', 'The platform this launch was started for is no longer registered.');
    ctx.registration = registration;
    // A replay is an attempt of its own: it gets its own log entry and leaves the finished launch as it was.
    if (row.used_at !== null) throw unauthorized('state_used', 'This launch has already been used. Open the link from your course again.');
    ctx.launchId = row.launch_id;
    if (row.expires_at <= Date.now()) throw unauthorized('state_expired', 'This launch took too long. Open the link from your course again.');
  },
};

/**
 * Security Framework §5.1.1.2: the state must come back in the browser that started the login.
 * Cookie first; else the platform's storage (LTI Client Side postMessages); else, for browsers
 * that allow neither, only a fresh, single-use state is accepted. Without the cookie, a launch
 * must also have been posted by the platform's own page (or, for the storage round trip, by this
 * gateway's): a login-CSRF page that posts a state its author started is refused either way.
 */
const bindBrowser: Step<LaunchContext> = {
  name: 'bind_browser',
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

/**
 * The id_token's claims hold no NUL (see refuseNul), checked before the state is used up: read
 * from the token as sent, the signature is verified after; a token that is not a JWT is left to it.
 */
const checkClaimsText: Step<LaunchContext> = {
  name: 'check_claims_text',
  run(ctx) {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(ctx.form!.idToken);
    } catch {
      return;
    }
    refuseNul(claims, 'The launch’s id_token carries a character no valid text contains (NUL). Tell the administrator of your course platform.');
  },
};

const consumeState: Step<LaunchContext> = {
  name: 'consume_state',
  async run(ctx) {
    const { state } = ctx.form!;
    if (!(await ctx.gateway.loginStates.consume(state))) {
      throw unauthorized('state_used', 'This launch has already been used. Open the link from your course again.');
    }
    ctx.reply.clearCookie(stateCookieName(state), { path: STATE_COOKIE_PATH, secure: true, sameSite: 'none', httpOnly: true });
  },
};

/** Security Framework §5.1.3 step 1: allowed algorithm, then the signature with the platform's key. */
const verifySignature: Step<LaunchContext> = {
  name: 'verify_signature',
  async run(ctx) {
    const token = ctx.form!.idToken;
    try {
      ctx.header = decodeProtectedHeader(token);
      decodeJwt(token);
    } catch {
      throw badRequest('id_token_malformed', 'The launch’s id_token is not a well-formed signed JWT.');
    }
    checkAlgorithm(ctx.header);
    const key = await ctx.gateway.platformKeys.keyFor(ctx.registration!, ctx.header);
    ctx.payload = decodeJwt(token);
    try {
      await compactVerify(token, key, { algorithms: LTI_ID_TOKEN_ALGS });
    } catch (err) {
      throw new LtiError('signature_invalid', 401, 'The launch’s signature does not verify with the platform’s key.', (err as Error).message);
    }
  },
};

/** Security Framework §5.1.3 steps 2–7 (pure checks, one step each). */
const claimSteps: Array<Step<LaunchContext>> = ID_TOKEN_CHECKS.map(({ name, check }) => ({
  name,
  run(ctx: LaunchContext) {
    const registration = ctx.registration!;
    const expected: IdTokenExpectations = {
      issuer: registration.issuer,
      clientId: registration.clientId,
      deploymentIds: registration.deploymentIds,
      // The login_states column `nonce` holds the nonce's SHA-256, never the nonce itself.
      nonceHash: ctx.loginState!.nonce,
      nowSeconds: Math.floor(Date.now() / 1000),
      clockSkewSeconds: ctx.gateway.services.config.clockSkewSeconds,
    };
    check(ctx.payload!, expected);
    if (name === 'check_resource_link_claims') ctx.userSub = ctx.payload!.sub;
  },
}));

/** Security Framework §5.1.3 step 5: a nonce is accepted once, across every instance. */
const useNonceOnce: Step<LaunchContext> = {
  name: 'use_nonce',
  async run(ctx) {
    const { db, config } = ctx.gateway.services;
    const expiresAt = nonceRetentionUntil(ctx.payload!, config.clockSkewSeconds, Date.now());
    if (!(await useNonce(db, `tool:${ctx.registration!.id}`, ctx.payload!.nonce as string, expiresAt))) {
      throw unauthorized('nonce_replayed', 'This launch has already been used. Open the link from your course again.');
    }
  },
};

/** The app named by the route, or by the target_link_uri claim on the routing URL. */
const resolveApp: Step<LaunchContext> = {
  name: 'resolve_app',
  async run(ctx) {
    const target = gatewayLaunchTarget(ctx.gateway.services.config.publicUrl, ctx.payload![CLAIM.targetLinkUri] as string);
    if (!target) throw badRequest('target_link_uri_invalid', 'The launch’s target_link_uri is not one of this tool’s launch addresses.');
    if (ctx.slug !== null && target.slug !== null && target.slug !== ctx.slug) {
      throw badRequest('target_link_uri_mismatch', 'The launch’s target_link_uri names a different app than the address it was sent to.');
    }
    const slug = ctx.slug ?? target.slug;
    const app = slug ? await ctx.gateway.apps.findBySlug(slug) : null;
    if (!app) {
      throw slug
        ? new LtiError('app_unknown', 404, 'The launch names an app that is not behind this tool.').saying({ app: slug })
        : new LtiError('app_unknown', 404, 'The launch does not name an app behind this tool.');
    }
    ctx.app = app;
  },
};

const handOffStep: Step<LaunchContext> = { name: 'hand_off', run: (ctx) => handOff(ctx) };

export const LAUNCH_STEPS: Array<Step<LaunchContext>> = [
  readForm,
  findLoginState,
  bindBrowser,
  checkClaimsText,
  consumeState,
  verifySignature,
  ...claimSteps,
  useNonceOnce,
  resolveApp,
  handOffStep,
];

export async function handleLaunch(input: Omit<LaunchContext, 'launchId'>): Promise<FastifyReply> {
  const ctx = { ...input, launchId: null } as LaunchContext;
  await runFlow(ctx, LAUNCH_STEPS);
  return ctx.answer!(ctx.reply);
}

function mismatch(): LtiError {
  return unauthorized('state_browser_mismatch', 'This launch was started in a different browser or tab. Open the link from your course again.');
}

function sameHash(a: string, b: string | null): boolean {
  return b !== null && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
