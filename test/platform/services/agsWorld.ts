/**
 * The AGS tests' world: the launcher world (IdP, launcher, a FakeTool, the portal) with a second
 * tool, launches into a context of the test's choosing, and access tokens for either tool from the
 * launcher's token endpoint.
 */
import type { JWTPayload } from 'jose';
import { CLAIM } from '../../../src/lti/claims.ts';
import { AGS_ENDPOINT_CLAIM, AGS_MEDIA_TYPES, type AgsEndpointClaim } from '../../../src/lti/services/ags.ts';
import { FakeTool, finishLaunch, runLaunch, type LauncherWorld } from '../harness.ts';
import { requestAccessToken } from './serviceTool.ts';

export { AGS_MEDIA_TYPES };
export { AGS_SCOPES } from '../../../src/lti/services/scopes.ts';

export interface AgsTool {
  fake: FakeTool;
  record: Record<string, any>;
}

/** The world's own tool, as an AgsTool. */
export function firstTool(world: LauncherWorld): AgsTool {
  return { fake: world.tool, record: world.toolRecord };
}

/** Adds another FakeTool to the world's platform, through the admin API. */
export async function addTool(world: LauncherWorld, clientId: string, fields: Record<string, unknown> = {}): Promise<AgsTool & { close(): Promise<void> }> {
  const fake = new FakeTool();
  fake.clientId = clientId;
  await fake.start();
  const res = await world.admin(`/platforms/${world.platform.id}/tools`, {
    body: {
      name: `Tool ${clientId}`, client_id: clientId, open_id_connect_initiation_url: `${fake.url}/login`,
      target_link_uri: `${fake.url}/launch`, public_key_url: `${fake.url}/jwks`, ...fields,
    },
  });
  if (res.status !== 201) throw new Error(`tool create failed: ${res.status} ${await res.text()}`);
  fake.issuer = world.platform.issuer;
  fake.platformAuthUrl = `${world.platform.base_url}/auth`;
  fake.platformJwksUrl = world.platform.jwks_url;
  return { fake, record: (await res.json()) as Record<string, any>, close: () => fake.close() };
}

/** A full launch of `tool` by `user` in `contextId` (from `resourceLinkId` when given; none: no context at all). The id_token the tool verified. */
export async function launch(world: LauncherWorld, tool: AgsTool, user: string, contextId: string | null, resourceLinkId?: string): Promise<JWTPayload> {
  const claims: Record<string, unknown> = {};
  if (contextId !== null) claims[CLAIM.context] = { id: contextId, label: contextId, title: `Course ${contextId}` };
  if (resourceLinkId) claims[CLAIM.resourceLink] = { id: resourceLinkId, title: `Link ${resourceLinkId}` };
  const context = await world.portal.context(claims);
  const started = await runLaunch({ ...world, toolRecord: tool.record }, { user, context });
  if (!started.toolLogin) throw new Error(`launch stopped at ${started.stage}: ${started.response.status} ${await started.response.text()}`);
  const before = tool.fake.launches.length;
  const { toolResponse, html } = await finishLaunch(started.browser, started.toolLogin);
  if (toolResponse?.status !== 200 || tool.fake.launches.length !== before + 1) throw new Error(`launch failed: ${html.slice(0, 300)}`);
  return tool.fake.launches.at(-1)!;
}

export function agsClaimOf(idToken: JWTPayload): AgsEndpointClaim | undefined {
  return idToken[AGS_ENDPOINT_CLAIM] as AgsEndpointClaim | undefined;
}

/** An access token for a tool, with these scopes, from the platform's POST /token: a client assertion the tool signs with jose. */
export function tokenFor(world: LauncherWorld, tool: AgsTool, scopes: string[]): Promise<string> {
  return requestAccessToken(world.platform.token_url, tool.fake.signer, scopes);
}

/** A request to an AGS URL with a Bearer token; the body sent as JSON with the given content type. */
export function ags(url: string, token: string | null, init: { method?: string; accept?: string; contentType?: string; body?: unknown; rawBody?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (init.accept) headers.accept = init.accept;
  if (init.contentType) headers['content-type'] = init.contentType;
  const body = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  return fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
}

/** Creates a line item through the container with a `lineitem` token; the created item's JSON. */
export async function createLineItem(container: string, token: string, item: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await ags(container, token, { contentType: AGS_MEDIA_TYPES.lineItem, accept: AGS_MEDIA_TYPES.lineItem, body: item });
  if (res.status !== 201) throw new Error(`line item create failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, any>;
}

/** Posts a score; the answer as it came. */
export function postScore(lineItemUrl: string, token: string, score: Record<string, unknown>): Promise<Response> {
  const url = new URL(lineItemUrl);
  url.pathname += '/scores';
  return ags(url.href, token, { contentType: AGS_MEDIA_TYPES.score, body: score });
}

/** The results URL of a line item, its query string kept (AGS 2.0 §5.1). */
export function resultsUrl(lineItemUrl: string): string {
  const url = new URL(lineItemUrl);
  url.pathname += '/results';
  return url.href;
}
