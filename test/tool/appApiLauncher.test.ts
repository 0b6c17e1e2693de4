/**
 * The app API end to end against our own launcher, over real HTTP on both databases: the portal's
 * link → the launcher (platform) → the gateway (its tool, known by the gateway's JWKS URL) → an app
 * (plain fetch here). The app reads the roster, creates a line item and posts a score through the
 * gateway, which gets its token from the launcher's POST /token; the score is then visible through
 * the launcher's portal API.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM } from '../../src/lti/claims.ts';
import { AGS_SCOPES, ALL_AGS_SCOPES } from '../../src/lti/services/scopes.ts';
import { AdminApi } from '../support/adminClient.ts';
import { Browser } from '../support/browser.ts';
import { CookieJar } from '../support/cookieJar.ts';
import { DIALECTS } from '../support/db.ts';
import { readForm } from '../support/htmlForm.ts';
import { loginThroughIdp } from '../support/idpLogin.ts';
import { Portal } from '../platform/harness.ts';
import { useGateway } from './support/gatewaySetup.ts';
import { startLauncherInFront, type LauncherInFront } from './support/launcherInFront.ts';
import type { RunningRole } from '../support/servers.ts';

describe.each(DIALECTS)('an app’s roster and grades through the gateway, from our launcher (%s)', (dialect) => {
  const world = useGateway({ dialect, lms: 'none', apps: { app: { name: 'Grading app', slug: 'grading', app_url: 'http://127.0.0.1:9/app' } } });
  let front: LauncherInFront;
  let launcher: RunningRole;
  let portal: Portal;
  let platform: Record<string, any>;
  let tool: Record<string, any>;

  beforeAll(async () => {
    front = await startLauncherInFront(dialect);
    ({ launcher, portal, platform } = front);
    // The gateway is the launcher's tool with grades and the roster; the launcher its LMS, with its token endpoint.
    tool = await front.connectGateway(world.gateway, {
      name: 'Grading app', targetLinkUri: world.apps.app.launch_url,
      fields: { ags_scopes: ALL_AGS_SCOPES, nrps: true }, registration: { token_endpoint: platform.token_url },
    });
  });
  afterAll(() => front?.close());

  /** A teacher's launch from the portal's link in a course, all the way to the app's redeemed hand-off. */
  async function teacherLaunch(contextId: string): Promise<Record<string, any>> {
    const browser = new Browser();
    const link = new URL(tool.launch_url);
    link.searchParams.set('context', await portal.context({ [CLAIM.context]: { id: contextId, label: 'MATH 201', title: 'Geometry' } }));
    const first = await browser.request(link.href);
    expect(first.status).toBe(303);
    const callback = await browser.request((await loginThroughIdp(first.headers.get('location')!, 'ada', new CookieJar())).href);
    const initiation = readForm(await callback.text());
    const login = await browser.post(initiation.action, initiation.fields, {}, { site: 'cross-site' });
    expect(login.status).toBe(302);
    const form = readForm(await (await browser.request(login.headers.get('location')!)).text());
    const launched = await browser.request(form.action, {
      method: 'POST', body: new URLSearchParams(form.fields), site: 'cross-site', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(launched.status, await launched.clone().text()).toBe(303);
    const code = new URL(launched.headers.get('location')!).searchParams.get('launch_code')!;
    const redeemed = await fetch(`${world.gateway.url}/api/v1/launches/${code}`, { headers: { authorization: `Bearer ${world.apps.app.api_key}` } });
    expect(redeemed.status).toBe(200);
    return (await redeemed.json()) as Record<string, any>;
  }

  /** The app's server calling the gateway with its API key. */
  async function app(url: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${world.apps.app.api_key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  /** The portal's API: a JWT signed with its course-context key, for the launcher's issuer, made for one call. */
  async function portalGet(path: string): Promise<any> {
    const token = await new SignJWT({ jti: crypto.randomUUID(), aud: platform.issuer })
      .setProtectedHeader({ alg: 'RS256', kid: 'portal-1' }).setIssuedAt().setExpirationTime('2m').sign(portal.privateKey);
    const response = await fetch(`${platform.base_url}/api/v1/contexts/${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status, path).toBe(200);
    return response.json();
  }

  it('reads the members, creates a line item, posts a score and reads the results; the launcher’s portal API shows the score', async () => {
    const handOff = await teacherLaunch('math-201');
    expect(handOff.permissions).toEqual(expect.arrayContaining(['grade', 'view_reports']));
    const { ags, nrps } = handOff.services;
    expect(ags.scopes).toEqual(expect.arrayContaining([...ALL_AGS_SCOPES]));
    expect(ags.line_items_url.startsWith(`${world.gateway.url}/api/v1/contexts/`)).toBe(true);

    const roster = await app(`${nrps.members_url}?role=Instructor`);
    expect(roster.status, JSON.stringify(roster.body)).toBe(200);
    expect(roster.body.members.map((m: any) => [m.user_id, m.role_names])).toEqual([['ada', ['Instructor']]]);
    expect(roster.body.context).toMatchObject({ id: 'math-201' });

    const item = await app(ags.line_items_url, { label: 'Chat participation', score_maximum: 10, tag: 'participation', resource_id: 'chat' });
    expect(item.status, JSON.stringify(item.body)).toBe(201);
    expect(item.body).toMatchObject({ label: 'Chat participation', score_maximum: 10, tag: 'participation', resource_id: 'chat' });
    expect(item.body.url.startsWith(`${ags.line_items_url}/`)).toBe(true);
    const listed = await app(`${ags.line_items_url}?tag=participation`);
    expect(listed.body.line_items.map((i: any) => i.url)).toEqual([item.body.url]);

    const sent = await app(`${item.body.url}/scores`, { user_id: 'ada', score_given: 9, score_maximum: 10, comment: '9 messages', activity_progress: 'Completed', grading_progress: 'FullyGraded' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body.ok).toBe(true);

    const results = await app(`${item.body.url}/results`);
    expect(results.status).toBe(200);
    expect(results.body.results).toEqual([{ user_id: 'ada', result_score: 9, result_maximum: 10, comment: '9 messages' }]);

    // The launcher's side: the portal sees the gateway's line item and the score it posted.
    const items = (await portalGet('math-201/line_items')) as Array<Record<string, any>>;
    const stored = items.find((i) => i.label === 'Chat participation')!;
    expect(stored).toMatchObject({ score_maximum: 10, tool_client_id: 'gateway-client', tag: 'participation', resource_id: 'chat' });
    expect(await portalGet(`math-201/line_items/${stored.id}/results`)).toEqual([
      expect.objectContaining({ user_id: 'ada', score_given: 9, score_maximum: 10, comment: '9 messages', activity_progress: 'Completed', grading_progress: 'FullyGraded', timestamp: sent.body.timestamp }),
    ]);
  });

  it('answers 403 service_scope_not_granted without calling the launcher’s services when the launcher grants a subset', async () => {
    const handOff = await teacherLaunch('math-202');
    const patched = await new AdminApi(launcher.url).fetch(`/tools/${tool.id}`, { method: 'PATCH', body: { ags_scopes: [AGS_SCOPES.score], nrps: true } });
    expect(patched.status, await patched.clone().text()).toBe(200);
    // The gateway's stored token predates the change: drop it, as an expiry would.
    await world.gateway.services.db.deleteFrom('gateway_access_tokens').execute();
    const created = await app(handOff.services.ags.line_items_url, { label: 'Quiz', score_maximum: 5 });
    expect({ status: created.status, error: created.body.error }).toEqual({ status: 403, error: 'service_scope_not_granted' });
    expect((await app(handOff.services.nrps.members_url)).status).toBe(200);
  });
});
