import { SignJWT } from 'jose';
import { CLAIM } from '../../../src/lti/claims.ts';
import { MEMBERSHIP_CONTAINER_MEDIA_TYPE } from '../../../src/lti/services/memberships.ts';
import { finishLaunch, runLaunch, type LauncherWorld } from '../harness.ts';
import { requestAccessToken } from './serviceTool.ts';

/** A full launch of the world's tool by an IdP user, in a course context when one is given; the id_token the tool got. */
export async function launchIn(world: LauncherWorld, user: string, context?: { id: string; label?: string; title?: string }) {
  const contextJwt = context ? await world.portal.context({ [CLAIM.context]: context }) : undefined;
  const started = await runLaunch(world, { user, context: contextJwt });
  if (!started.toolLogin) throw new Error(`launch stopped at ${started.stage}: ${started.response.status} ${await started.response.text()}`);
  const { toolResponse, html } = await finishLaunch(started.browser, started.toolLogin);
  if (toolResponse?.status !== 200) throw new Error(`launch failed: ${html.slice(0, 300)}`);
  return world.tool.launches.at(-1)!;
}

/** An access token of the world's tool from a platform's POST /token (the world's own platform unless `tokenUrl` is another's). */
export function issueToken(world: LauncherWorld, grant: { tokenUrl?: string; scopes: string[] }): Promise<string> {
  return requestAccessToken(grant.tokenUrl ?? world.platform.token_url, world.tool.signer, grant.scopes);
}

/** A tool's GET of a memberships URL with its token, as the spec has it. */
export function getMembers(url: string, token: string | null, accept: string | null = MEMBERSHIP_CONTAINER_MEDIA_TYPE): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (accept !== null) headers.accept = accept;
  return fetch(url, { headers });
}

/** The URLs of a Link header by rel (RFC 8288; one link per rel). */
export function linksOf(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (response.headers.get('link') ?? '').matchAll(/<([^>]*)>\s*;\s*rel="([^"]+)"/g)) out[m[2]!] = m[1]!;
  return out;
}

/** The portal's API token: a JWT signed with its course-context key, for the platform's issuer, made for one call. */
export async function portalToken(world: LauncherWorld, claims: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ jti: crypto.randomUUID(), aud: world.platform.issuer, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'portal-1' })
    .setIssuedAt()
    .setExpirationTime('2m')
    .sign(world.portal.privateKey);
}

/** The portal pushes a context's roster: `PUT /api/v1/contexts/:context_id/members`. */
export async function pushRoster(world: LauncherWorld, contextId: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${world.platform.base_url}/api/v1/contexts/${encodeURIComponent(contextId)}/members`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token ?? (await portalToken(world))}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
