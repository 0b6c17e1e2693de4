import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../server/services.ts';
import { sendAutoPostForm } from '../web/autoPostForm.ts';
import {
  checkNoncePresent, checkPrompt, checkRedirectUri, checkResponseMode, checkResponseType, checkScope, parseAuthRequest,
  type AuthRequest,
} from '../lti/authRequest.ts';
import type { UserClaims } from '../lti/claims.ts';
import type { ContextClaims } from '../lti/contextClaims.ts';
import { badRequest, forbidden, notFound, unauthorized } from '../lti/errors.ts';
import { buildResourceLinkPayload } from '../lti/resourceLinkMessage.ts';
import { consumeOnce } from '../store/consumeOnce.ts';
import { useNonce } from '../store/nonces.ts';
import type { LoginHintTable, PlatformTable, ToolTable } from '../store/schema.ts';
import { browserHashesOf } from './browser.ts';
import { Flow } from './flow.ts';
import { hashToken } from './hashToken.ts';
import { findPlatform } from './launch.ts';
import { platformIssuer } from './tenancy.ts';
import { findToolByClientId, launchToolOf, redirectUrisOf } from './tools.ts';

async function checkClient(services: Services, platform: PlatformTable, req: AuthRequest): Promise<ToolTable> {
  const tool = req.client_id ? await findToolByClientId(services, platform.id, req.client_id) : undefined;
  if (!tool) throw notFound('auth_client_unknown', `The platform "${platform.name}" has no tool with the client_id of this login request.`).saying({ client_id: req.client_id });
  return tool;
}

/**
 * The login hint is valid, unexpired, unused, for this tool and from this browser — and is used up
 * by the same statement, so two requests (on any instances) can never both pass.
 */
async function consumeLoginHint(services: Services, request: FastifyRequest, tool: ToolTable, req: AuthRequest): Promise<LoginHintTable> {
  if (!req.login_hint) throw badRequest('login_hint_invalid', 'This launch is not known to the launcher. Open the tool again from its link.');
  const used = await consumeOnce(services.db, 'login_hints', hashToken(req.login_hint), {
    scope: { tool_id: [tool.id] }, bound: { browser_hash: browserHashesOf(request, services.box) },
  });
  if (used.ok) return used.row;
  if (used.reason === 'unknown') throw badRequest('login_hint_invalid', 'This launch is not known to the launcher. Open the tool again from its link.');
  if (used.reason === 'used') throw forbidden('login_hint_used', 'This launch was completed already. Open the tool again from its link.');
  if (used.reason === 'expired') throw unauthorized('login_hint_expired', 'This launch took too long and expired. Open the tool again from its link.');
  throw forbidden('login_hint_wrong_browser', 'This launch was started in another browser (or your browser blocked the launcher\'s cookie). Open the tool again from its link in this browser.');
}

function checkMessageHint(req: AuthRequest, hint: LoginHintTable): void {
  if (req.lti_message_hint !== hint.launch_id) {
    throw badRequest('message_hint_mismatch', 'The tool sent back a launch reference that does not match this launch.');
  }
}

/** A tool's nonce is remembered until every id_token that could carry it has long expired. */
async function checkNonceUnused(services: Services, tool: ToolTable, nonce: string): Promise<void> {
  const fresh = await useNonce(services.db, `platform:${tool.id}`, nonce, Date.now() + 2 * services.config.idTokenLifetimeSeconds * 1000);
  if (!fresh) throw forbidden('nonce_replayed', 'The tool reused a nonce of an earlier launch; this launch was refused to prevent a replay.');
}

/** GET and POST /auth: the OIDC authorization endpoint tools send the browser to. */
export async function authorize(services: Services, request: FastifyRequest, reply: FastifyReply) {
  const flow = new Flow(services, request);
  const platform = await findPlatform(flow, services, request);
  const req = await flow.step('auth_request_parsed', () => parseAuthRequest(request.method === 'POST' ? request.body : request.query));
  // The client first: once the tool is known, every later refusal is in its launch log.
  const tool = await flow.step('auth_client', () => checkClient(services, platform, req));
  flow.toolId = tool.id;
  flow.toolName = tool.name;
  await flow.step('auth_scope', () => checkScope(req));
  await flow.step('auth_response_type', () => checkResponseType(req));
  await flow.step('auth_response_mode', () => checkResponseMode(req));
  await flow.step('auth_prompt', () => checkPrompt(req));
  const redirectUri = await flow.step('auth_redirect_uri', () => checkRedirectUri(req, redirectUrisOf(tool)));
  const hint = await flow.step('login_hint', () => consumeLoginHint(services, request, tool, req));
  flow.resume(hint.launch_id);
  await flow.step('message_hint', () => checkMessageHint(req, hint));
  const nonce = await flow.step('nonce', () => checkNoncePresent(req));
  await flow.step('nonce_unused', () => checkNonceUnused(services, tool, nonce));

  const user = JSON.parse(hint.user_claims) as UserClaims;
  const idToken = await flow.step('id_token_signed', () =>
    services.keys.sign(
      buildResourceLinkPayload({
        issuer: platformIssuer(services.config, platform.slug),
        tool: launchToolOf(tool),
        user,
        roles: JSON.parse(hint.roles) as string[],
        contextClaims: JSON.parse(hint.context_claims) as ContextClaims,
        nonce,
        platform: { guid: platform.id, name: platform.name },
        now: Date.now(),
        lifetimeSeconds: services.config.idTokenLifetimeSeconds,
      }),
    ),
  );
  await flow.ok('id_token_posted', { userSub: user.sub, done: true });
  // Security Framework §5.1.1.3: the id_token goes to the redirect_uri by form_post.
  return sendAutoPostForm(reply, {
    action: redirectUri, fields: { id_token: idToken, state: req.state }, heading: `Opening ${tool.name}…`, button: `Continue to ${tool.name}`,
  });
}
