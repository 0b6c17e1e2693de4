import type { FastifyReply } from 'fastify';
import { LtiError, badRequest } from '../lti/errors.ts';
import { authRequestUrl, readLoginRequest, type LoginRequest } from '../lti/loginInitiation.ts';
import { gatewayLaunchTarget } from './launchTarget.ts';
import { runFlow, type FlowContext, type Step } from './flow.ts';
import { STATE_COOKIE_PATH, stateCookieName, type NewLoginState } from './loginStates.ts';
import { platformStoragePutPage } from './platformStoragePages.ts';

/** Third-party initiated login (LTI Core 1.3 §4.1; Security Framework §5.1.1): `GET`/`POST /lti/login`. */
interface LoginContext extends FlowContext {
  params: Record<string, unknown>;
  login?: LoginRequest;
  created?: NewLoginState;
}

const readRequest: Step<LoginContext> = {
  name: 'read_login_request',
  run(ctx) {
    ctx.login = readLoginRequest(ctx.params);
  },
};

/** iss (and client_id when given) name one registration. */
const findRegistration: Step<LoginContext> = {
  name: 'find_registration',
  async run(ctx) {
    const { iss, clientId } = ctx.login!;
    const found = await ctx.gateway.registrations.findByIssuer(iss, clientId ?? undefined);
    if (found.length === 0) {
      throw new LtiError('registration_unknown', 404, 'This tool has no registration for the platform this login comes from. Ask the administrator to register it.')
        .saying({ iss, client_id: clientId });
    }
    if (found.length > 1) {
      throw badRequest('client_id_required', 'The platform this login comes from has several registrations here; its login request must name the client_id.').saying({ iss });
    }
    ctx.registration = found[0];
  },
};

/** The target must be one of the gateway's own launch URLs: a login is never an open redirect. */
const checkTargetLinkUri: Step<LoginContext> = {
  name: 'check_target_link_uri',
  async run(ctx) {
    const target = gatewayLaunchTarget(ctx.gateway.services.config.publicUrl, ctx.login!.targetLinkUri);
    if (!target) {
      throw badRequest('target_link_uri_invalid', 'The link’s target is not one of this tool’s launch addresses.');
    }
    if (target.slug !== null) {
      const app = await ctx.gateway.apps.findBySlug(target.slug);
      if (!app) throw new LtiError('app_unknown', 404, 'The link names an app that is not behind this tool.').saying({ app: target.slug });
      ctx.app = app;
    }
  },
};

const checkDeployment: Step<LoginContext> = {
  name: 'check_deployment_id',
  run(ctx) {
    const { deploymentId } = ctx.login!;
    const allowed = ctx.registration!.deploymentIds;
    if (deploymentId !== null && allowed.length > 0 && !allowed.includes(deploymentId)) {
      throw new LtiError('deployment_unknown', 403, 'The login comes from a deployment that is not registered with this tool. Ask the administrator to add it.')
        .saying({ lti_deployment_id: deploymentId });
    }
  },
};

/** state and nonce kept server-side; the browser keeps the binding secret (cookie, and platform storage when offered). */
const createLoginState: Step<LoginContext> = {
  name: 'create_login_state',
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

/** Security Framework §5.1.1.2: the authentication request, with every parameter the spec requires. */
const redirectToPlatform: Step<LoginContext> = {
  name: 'redirect_to_platform',
  run(ctx) {
    const login = ctx.login!;
    const registration = ctx.registration!;
    const url = authRequestUrl(registration.authorizationEndpoint, {
      clientId: registration.clientId,
      redirectUri: login.targetLinkUri,
      loginHint: login.loginHint,
      ltiMessageHint: login.ltiMessageHint,
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

export const LOGIN_STEPS: Array<Step<LoginContext>> = [
  readRequest,
  findRegistration,
  checkTargetLinkUri,
  checkDeployment,
  createLoginState,
  redirectToPlatform,
];

export async function handleLogin(input: Omit<LoginContext, 'launchId'>): Promise<FastifyReply> {
  const ctx = { ...input, launchId: null } as LoginContext;
  await runFlow(ctx, LOGIN_STEPS, { start: 'login_received' });
  return ctx.answer!(ctx.reply);
}
