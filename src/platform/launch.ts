import type { FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import type { Services } from '../server/services.ts';
import { USER_CLAIM_NAMES, type UserClaims } from '../lti/claims.ts';
import { verifyContextToken, type VerifiedContext } from '../lti/contextToken.ts';
import type { ContextClaims } from '../lti/contextClaims.ts';
import { badRequest, forbidden, notFound, unauthorized } from '../lti/errors.ts';
import { refuseNul } from '../lti/nulCheck.ts';
import { explainIdpRoles } from '../lti/roleMapping.ts';
import { consumeOnce } from '../store/consumeOnce.ts';
import { useNonce } from '../store/nonces.ts';
import type { PlatformTable, ToolTable } from '../store/schema.ts';
import { browserHash, browserHashesOf, ensureBrowserId } from './browser.ts';
import { contextKeysOf } from './contextKeys.ts';
import { Flow } from './flow.ts';
import { idpClient, idpFailure } from './idp.ts';
import { hashToken } from './hashToken.ts';
import { platformBaseUrl, platformIssuer, resolvePlatform } from './tenancy.ts';
import { sendToolLogin, startToolLogin } from './toolLogin.ts';
import { findToolByClientId, findToolById } from './tools.ts';


// ---- GET /launch/:tool_client_id?context=<JWT> -------------------------------------------------

export async function findPlatform(flow: Flow, services: Services, request: FastifyRequest): Promise<PlatformTable> {
  const platform = await flow.step('platform_resolved', () => resolvePlatform(request, services));
  flow.platformId = platform.id;
  flow.platformName = platform.name;
  return platform;
}

async function findTool(services: Services, platform: PlatformTable, clientId: string): Promise<ToolTable> {
  const tool = await findToolByClientId(services, platform.id, clientId);
  if (!tool) throw notFound('tool_unknown', `The platform "${platform.name}" has no tool at this link. The link may be out of date.`).saying({ client_id: clientId });
  return tool;
}

const NO_CONTEXT: VerifiedContext = { claims: {}, forUser: null, jti: null, exp: 0 };

async function checkContext(services: Services, platform: PlatformTable, token: unknown): Promise<VerifiedContext> {
  if (token === undefined || token === '') return NO_CONTEXT;
  if (typeof token !== 'string') throw badRequest('context_malformed', 'The link carries more than one course context.');
  const base = platformBaseUrl(services.config, platform.slug);
  return verifyContextToken(token, contextKeysOf(services, platform), {
    clockTolerance: services.config.clockSkewSeconds,
    audiences: [platformIssuer(services.config, platform.slug), base, `${services.config.publicUrl}/p/${platform.slug}`],
    maxLifetimeSeconds: services.config.contextMaxLifetimeSeconds,
  });
}

/**
 * A context JWT with a `jti` opens one launch: the id is recorded (per platform, on every instance
 * through the shared nonces table) until the JWT expires, and a second use is refused.
 */
async function useContextOnce(services: Services, platform: PlatformTable, context: VerifiedContext): Promise<void> {
  if (context.jti === null) return;
  const expiresAt = (context.exp + services.config.clockSkewSeconds) * 1000;
  if (!(await useNonce(services.db, `context:${platform.id}`, context.jti, expiresAt))) {
    throw forbidden('context_replayed', 'This link was used already. Go back to the page with the link, reload it and open the tool again.');
  }
}

export async function launch(services: Services, request: FastifyRequest, reply: FastifyReply) {
  const flow = new Flow(services, request);
  const { client_id: toolClientId } = request.params as { client_id: string };
  const query = request.query as { context?: unknown };
  const platform = await findPlatform(flow, services, request);
  const tool = await flow.step('tool_resolved', () => findTool(services, platform, toolClientId));
  flow.toolId = tool.id;
  flow.toolName = tool.name;
  await flow.start('launch_received');
  const context = await flow.step('context_verified', () => checkContext(services, platform, query.context));
  await flow.step('context_unused', () => useContextOnce(services, platform, context));

  const config = await flow.step('idp_configured', () => idpClient(services, platform));
  const state = client.randomState();
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  const browser = ensureBrowserId(request, reply, services.box);
  await services.db
    .insertInto('pending_launches')
    .values({
      state: hashToken(state),
      launch_id: flow.launchId!,
      platform_id: platform.id,
      tool_id: tool.id,
      context_claims: JSON.stringify(context.claims),
      context_sub: context.forUser,
      code_verifier: await services.box.seal(codeVerifier),
      nonce,
      browser_hash: browserHash(browser),
      expires_at: Date.now() + services.config.loginStateTtlSeconds * 1000,
      used_at: null,
    })
    .execute();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: `${platformBaseUrl(services.config, platform.slug)}/callback`,
    scope: 'openid profile email',
    response_type: 'code',
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  });
  await flow.ok('idp_redirect');
  reply.header('cache-control', 'no-store');
  return reply.redirect(url.href, 303);
}

// ---- GET /callback (the IdP's redirect_uri) ----------------------------------------------------

interface Pending {
  launchId: string;
  platformId: string;
  toolId: string;
  contextClaims: ContextClaims;
  /** The user the context JWT was made for, if it named one. */
  contextSub: string | null;
  codeVerifier: string;
  nonce: string;
  state: string;
}

async function claimPendingLaunch(services: Services, flow: Flow, request: FastifyRequest, state: unknown): Promise<Pending> {
  if (typeof state !== 'string' || state === '') {
    throw badRequest('state_missing', 'The sign-in answer is missing its state. Start the launch again from the link.');
  }
  // Single use across every instance, unexpired, and from the browser that started the launch.
  const used = await consumeOnce(services.db, 'pending_launches', hashToken(state), { bound: { browser_hash: browserHashesOf(request, services.box) } });
  if (!used.ok) {
    if (used.reason === 'unknown') throw badRequest('state_unknown', 'This sign-in answer does not belong to a launch in progress. Start the launch again from the link.');
    // A replayed, late or misdirected answer names a real launch: its refusal goes in the tool's log.
    flow.toolId = used.row!.tool_id;
    if (used.reason === 'used') throw forbidden('state_used', 'This sign-in answer was used already. Start the launch again from the link.');
    if (used.reason === 'expired') throw unauthorized('state_expired', 'The sign-in took too long. Start the launch again from the link.');
    throw forbidden('callback_wrong_browser', 'This sign-in was started in another browser (or your browser blocked the launcher\'s cookie). Start the launch again from the link in this browser.');
  }
  const { row } = used;
  return {
    launchId: row.launch_id,
    platformId: row.platform_id,
    toolId: row.tool_id,
    contextClaims: JSON.parse(row.context_claims) as ContextClaims,
    contextSub: row.context_sub,
    codeVerifier: await services.box.open(row.code_verifier),
    nonce: row.nonce,
    state,
  };
}

function checkIdpAnswer(query: Record<string, unknown>): void {
  if (typeof query.error === 'string') {
    // The IdP's words come through the browser, so anyone can write them: quoted apart, never our sentence.
    throw unauthorized('idp_denied', 'The sign-in service did not let you in, so the launch cannot go on. Start the launch again; if it keeps failing, tell your IT support.')
      .saying({ error: query.error, error_description: typeof query.error_description === 'string' ? query.error_description : undefined });
  }
  if (typeof query.code !== 'string' || query.code === '') throw badRequest('idp_code_missing', 'The sign-in service answered without a code. Start the launch again.');
}

async function exchangeCode(config: client.Configuration, currentUrl: URL, pending: Pending, skewSeconds: number) {
  try {
    const tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('no id_token');
    checkIssuedAt(claims.iat, skewSeconds);
    return claims as Record<string, unknown> & { sub: string };
  } catch (err) {
    throw idpFailure(err, 'code exchange (token endpoint, key set)');
  }
}

/**
 * The IdP just issued this id_token for our code: an old or future `iat` means a replayed or forged
 * token. Shorter than the gateway's bound on an LMS's id_token (LTI_ID_TOKEN_MAX_AGE_SECONDS, an
 * hour): this one is never stored or carried, it answers a code exchange made a moment ago.
 */
const IDP_ID_TOKEN_MAX_AGE_SECONDS = 600;

function checkIssuedAt(iat: unknown, skewSeconds: number): void {
  const now = Math.floor(Date.now() / 1000);
  if (typeof iat !== 'number' || iat > now + skewSeconds || iat < now - IDP_ID_TOKEN_MAX_AGE_SECONDS - skewSeconds) {
    throw unauthorized('idp_token_invalid', 'The answer of the sign-in service could not be verified, so you were not signed in.', `id_token iat ${String(iat)} is outside the accepted window`);
  }
}

/**
 * The verified claims hold no NUL (see refuseNul). They are known only once the code is exchanged,
 * which needs the state's row, taken first (single use) so that two instances never both exchange
 * one answer; a refusal gives the state back, so the refused answer does not use up the launch.
 */
async function checkClaimsText(services: Services, pending: Pending, claims: Record<string, unknown>): Promise<void> {
  try {
    refuseNul(claims, 'The sign-in service sent your account details with a character no valid text contains (NUL), so you were not signed in. Tell the administrator.');
  } catch (err) {
    await services.db.updateTable('pending_launches').set({ used_at: null }).where('state', '=', hashToken(pending.state)).execute();
    throw err;
  }
}

/**
 * A context JWT that names its user binds the launch to that user: whoever signed in at the IdP
 * must be the one the portal made the link for. A link passed on to someone else stops here.
 */
function checkContextUser(pending: Pending, user: UserClaims): void {
  if (pending.contextSub !== null && pending.contextSub !== user.sub) {
    throw forbidden(
      'context_user_mismatch',
      'This link was made for another person than the one who just signed in. Open the tool from your own page on the portal.',
      `context sub ${JSON.stringify(pending.contextSub)}, IdP sub ${JSON.stringify(user.sub)}`,
    );
  }
}

function userOf(claims: Record<string, unknown> & { sub: string }): UserClaims {
  const user: UserClaims = { sub: claims.sub };
  for (const name of USER_CLAIM_NAMES) {
    const value = claims[name];
    if (typeof value === 'string' && value !== '') (user as unknown as Record<string, string>)[name] = value;
  }
  return user;
}

export async function callback(services: Services, request: FastifyRequest, reply: FastifyReply) {
  const flow = new Flow(services, request);
  const query = request.query as Record<string, unknown>;
  const platform = await findPlatform(flow, services, request);
  const pending = await flow.step('state_checked', () => claimPendingLaunch(services, flow, request, query.state));
  flow.resume(pending.launchId);
  flow.toolId = pending.toolId;
  const tool = await flow.step('tool_resolved', async () => {
    const row = await findToolById(services, pending.toolId);
    if (!row || row.platform_id !== platform.id) throw notFound('tool_removed', 'The tool of this launch no longer exists.');
    return row;
  });
  flow.toolName = tool.name;
  await flow.step('idp_answered', () => checkIdpAnswer(query));
  const config = await flow.step('idp_configured', () => idpClient(services, platform));
  const currentUrl = new URL(`${platformBaseUrl(services.config, platform.slug)}/callback`);
  for (const [k, v] of Object.entries(query)) if (typeof v === 'string') currentUrl.searchParams.set(k, v);
  const claims = await flow.step('idp_token_verified', () => exchangeCode(config, currentUrl, pending, services.config.clockSkewSeconds));
  await flow.step('idp_claims_text', () => checkClaimsText(services, pending, claims));
  const user = userOf(claims);
  await flow.step('context_user', () => checkContextUser(pending, user));
  const idpRoles = explainIdpRoles(claims, platform.role_claim, platform.role_map ? (JSON.parse(platform.role_map) as Record<string, string[]>) : null);
  const { roles } = idpRoles;

  const target = await startToolLogin(services, request, reply, platform, tool, {
    launchId: pending.launchId, user, roles, contextClaims: pending.contextClaims,
  });
  // The launch goes on without a role (the tool decides what a role-less user may do), but an
  // admin should see that the IdP's values matched nothing in the role map.
  await flow.ok('tool_login_redirect', {
    userSub: user.sub, info: { idp_roles: idpRoles }, warning: roles.length === 0 ? 'no_role_mapped' : undefined,
  });
  return sendToolLogin(reply, target);
}
