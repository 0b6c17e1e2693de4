/**
 * The launch step record_service_endpoints over real HTTP (LMS → gateway → app's redeem), on each
 * database: what a launch's AGS and NRPS claims leave in the gateway, what the hand-off names, and
 * how a relaunch with moved LMS URLs keeps every gateway URL handed out reaching the newest one.
 */
import { describe, expect, it } from 'vitest';
import { CLAIM } from '../../src/lti/claims.ts';
import { AGS_SCOPES } from '../../src/lti/services/scopes.ts';
import { ServiceEndpoints } from '../../src/tool/model/serviceEndpoints.ts';
import { Browser } from '../support/browser.ts';
import { DIALECTS } from '../support/db.ts';
import { errorPage } from '../support/refused.ts';
import { createApp, launch, useGateway } from './support/gatewaySetup.ts';

const MOODLE = 'https://moodle.example.edu/mod/lti/services.php';
const MOVED = 'https://moodle.example.org/lms/mod/lti/services.php';
const SCOPES = [AGS_SCOPES.lineItem, AGS_SCOPES.resultReadOnly, AGS_SCOPES.score];

const agsClaim = (base: string, typeId = 1) => ({ scope: SCOPES, lineitems: `${base}/2/lineitems?type_id=${typeId}`, lineitem: `${base}/2/lineitems/7/lineitem?type_id=${typeId}` });
const nrpsClaim = (base: string) => ({ context_memberships_url: `${base}/CourseSection/2/bindings/1/memberships`, service_versions: ['2.0'] });

describe.each(DIALECTS)('the LMS services a launch carries (%s)', (dialect) => {
  const world = useGateway({ dialect, apps: { chatbot: { slug: 'chatbot', app_url: 'http://127.0.0.1:9/app' } } });
  const endpoints = () => new ServiceEndpoints(world.gateway.services.db);

  /** A launch with these claims over the defaults, redeemed by the app: the hand-off it gets. */
  async function handOffOf(claims: Record<string, unknown>): Promise<Record<string, any>> {
    const run = await launch(new Browser(), world.lms, world.gateway, { targetLinkUri: world.apps.chatbot.launch_url, tweaks: { claims } });
    expect(run.launch!.status, run.launchBody?.slice(0, 600)).toBe(303);
    const code = new URL(run.launch!.headers.get('location')!).searchParams.get('launch_code')!;
    const redeemed = await fetch(`${world.gateway.url}/api/v1/launches/${code}`, { headers: { authorization: `Bearer ${world.apps.chatbot.api_key}` } });
    expect(redeemed.status).toBe(200);
    return redeemed.json() as Promise<Record<string, any>>;
  }

  /** The context id and line item id in the gateway's URLs of a hand-off. */
  function idsOf(services: Record<string, any>): { contextId: string; lineItemId: string | undefined } {
    const prefix = `${world.gateway.url}/api/v1/contexts/`;
    const url: string = services.ags?.line_items_url ?? services.nrps.members_url;
    expect(url.startsWith(prefix)).toBe(true);
    const contextId = url.slice(prefix.length).split('/')[0];
    const lineItemId = services.ags?.line_item_url?.slice(`${prefix}${contextId}/line_items/`.length);
    return { contextId, lineItemId };
  }

  it('remembers the endpoints of a launch with AGS and NRPS, and hands off the gateway’s own URLs for them', async () => {
    const handOff = await handOffOf({ [CLAIM.context]: { id: 'course-a' }, [CLAIM.ags]: agsClaim(MOODLE), [CLAIM.nrps]: nrpsClaim(MOODLE) });
    const { contextId, lineItemId } = idsOf(handOff.services);
    expect(contextId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(lineItemId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(handOff.services).toEqual({
      ags: {
        line_items_url: `${world.gateway.url}/api/v1/contexts/${contextId}/line_items`,
        line_item_url: `${world.gateway.url}/api/v1/contexts/${contextId}/line_items/${lineItemId}`,
        scopes: SCOPES,
      },
      nrps: { members_url: `${world.gateway.url}/api/v1/contexts/${contextId}/members` },
    });
    expect(JSON.stringify(handOff)).not.toContain('moodle.example.edu');
    expect(await endpoints().find(contextId)).toMatchObject({
      registrationId: world.registration.id, deploymentId: world.lms.deploymentId, contextId: 'course-a',
      lineItemsUrl: `${MOODLE}/2/lineitems?type_id=1`, agsScopes: SCOPES, membersUrl: nrpsClaim(MOODLE).context_memberships_url,
    });
    expect(await endpoints().lineItemUrl(contextId, lineItemId!)).toBe(`${MOODLE}/2/lineitems/7/lineitem?type_id=1`);
    // A line item id answers only within its own context.
    expect(await endpoints().lineItemUrl('another-context', lineItemId!)).toBeNull();
    // Only an app launched in the context may reach it.
    expect(await endpoints().findForApp(contextId, world.apps.chatbot.id)).toMatchObject({ id: contextId });
    const otherApp = await createApp(world.gateway, { name: 'Other', slug: `other-${dialect}`, app_url: 'http://127.0.0.1:9/other' });
    expect(await endpoints().findForApp(contextId, otherApp.id)).toBeNull();

    const launches = (await world.gateway.admin('GET', '/launches?outcome=success')).body.launches;
    const entry = launches.find((l: any) => l.steps.some((s: any) => s.step === 'record_service_endpoints'));
    expect(entry.steps.map((s: any) => s.step)).toEqual(expect.arrayContaining(['resolve_app', 'record_service_endpoints', 'hand_off']));
    expect(entry.warning).toBeNull();
  });

  it('after a relaunch with moved LMS URLs, every gateway URL handed out for the context reaches the newest one', async () => {
    const first = await handOffOf({ [CLAIM.context]: { id: 'course-b' }, [CLAIM.ags]: agsClaim(MOODLE), [CLAIM.nrps]: nrpsClaim(MOODLE) });
    const ids = idsOf(first.services);
    // An item the app met in a list (the app API names it so): under the old container.
    const listedId = await endpoints().lineItemId(ids.contextId, `${MOODLE}/2/lineitems/9/lineitem?type_id=1`);
    expect(await endpoints().lineItemId(ids.contextId, `${MOODLE}/2/lineitems/9/lineitem?type_id=1`)).toBe(listedId);
    // The launch's own item met in a list keeps the launch's id: one id per item.
    expect(await endpoints().lineItemId(ids.contextId, `${MOODLE}/2/lineitems/7/lineitem?type_id=1`)).toBe(ids.lineItemId);

    const again = await handOffOf({ [CLAIM.context]: { id: 'course-b' }, [CLAIM.ags]: agsClaim(MOVED, 4), [CLAIM.nrps]: nrpsClaim(MOVED) });
    expect(again.services).toEqual(first.services);
    expect(await endpoints().find(ids.contextId)).toMatchObject({ lineItemsUrl: `${MOVED}/2/lineitems?type_id=4`, membersUrl: nrpsClaim(MOVED).context_memberships_url });
    expect(await endpoints().lineItemUrl(ids.contextId, ids.lineItemId!)).toBe(`${MOVED}/2/lineitems/7/lineitem?type_id=4`);
    expect(await endpoints().lineItemUrl(ids.contextId, listedId)).toBe(`${MOVED}/2/lineitems/9/lineitem?type_id=4`);
  });

  it('hands off only the services a launch carried, and keeps what earlier launches of the context gave', async () => {
    const both = await handOffOf({ [CLAIM.context]: { id: 'course-c' }, [CLAIM.ags]: agsClaim(MOODLE), [CLAIM.nrps]: nrpsClaim(MOODLE) });
    const { contextId } = idsOf(both.services);

    const none = await handOffOf({ [CLAIM.context]: { id: 'course-c' } });
    expect(none).not.toHaveProperty('services');

    // A link without grades: the roster only, under the same context id.
    const rosterOnly = await handOffOf({ [CLAIM.context]: { id: 'course-c' }, [CLAIM.nrps]: nrpsClaim(MOODLE) });
    expect(rosterOnly.services).toEqual({ nrps: both.services.nrps });
    // Grades without a default line item for this link, and only a subset of scopes.
    const gradesOnly = await handOffOf({
      [CLAIM.context]: { id: 'course-c' },
      [CLAIM.resourceLink]: { id: 'link-2' },
      [CLAIM.ags]: { scope: [AGS_SCOPES.score], lineitems: `${MOODLE}/2/lineitems?type_id=1` },
    });
    expect(gradesOnly.services).toEqual({ ags: { line_items_url: both.services.ags.line_items_url, scopes: [AGS_SCOPES.score] } });
    expect(await endpoints().find(contextId)).toMatchObject({ agsScopes: [AGS_SCOPES.score], membersUrl: nrpsClaim(MOODLE).context_memberships_url, lineItemsUrl: `${MOODLE}/2/lineitems?type_id=1` });
    // The first link's line item is still its own.
    expect(await endpoints().lineItemUrl(contextId, idsOf(both.services).lineItemId!)).toBe(`${MOODLE}/2/lineitems/7/lineitem?type_id=1`);

    const otherCourse = await handOffOf({ [CLAIM.context]: { id: 'course-d' }, [CLAIM.nrps]: nrpsClaim(MOODLE) });
    expect(idsOf(otherCourse.services).contextId).not.toBe(contextId);
    // Without a course context there is nothing to remember the services under: none are handed off.
    expect(await handOffOf({ [CLAIM.context]: undefined, [CLAIM.nrps]: nrpsClaim(MOODLE) })).not.toHaveProperty('services');
  });

  it('refuses a launch whose service claim has the wrong shape, with service_claim_invalid', async () => {
    for (const claims of [
      { [CLAIM.ags]: { scope: AGS_SCOPES.score, lineitems: `${MOODLE}/2/lineitems` } },
      { [CLAIM.ags]: { scope: [], lineitems: 42 } },
      { [CLAIM.nrps]: { service_versions: ['2.0'] } },
    ]) {
      const run = await launch(new Browser(), world.lms, world.gateway, { targetLinkUri: world.apps.chatbot.launch_url, tweaks: { claims } });
      const refused = await errorPage(run.launch!);
      expect(refused.status, JSON.stringify(claims)).toBe(400);
      expect(refused.code).toBe('service_claim_invalid');
    }
  });

  it('leaves out a service at a URL the gateway may not call, with a warning, and the launch goes on', async () => {
    const { config } = world.gateway.services;
    const insecure = config.allowInsecureIdp;
    config.allowInsecureIdp = false;
    try {
      const handOff = await handOffOf({
        [CLAIM.context]: { id: 'course-e' },
        [CLAIM.ags]: agsClaim(MOODLE),
        [CLAIM.nrps]: { context_memberships_url: 'http://moodle.example.edu/nrps', service_versions: ['2.0'] },
      });
      expect(Object.keys(handOff.services)).toEqual(['ags']);
      expect((await endpoints().find(idsOf(handOff.services).contextId))?.membersUrl).toBeNull();
      const warned = (await world.gateway.admin('GET', '/launches?warning=true')).body.launches;
      expect(warned.map((l: any) => l.warning)).toContain('service_url_refused');

      // Loopback may use plain http (the project's one rule), so a local LMS keeps its roster.
      const local = await handOffOf({ [CLAIM.context]: { id: 'course-e' }, [CLAIM.nrps]: { context_memberships_url: `${world.lms.url}/nrps` } });
      expect(local.services.nrps.members_url).toMatch(/\/members$/);
    } finally {
      config.allowInsecureIdp = insecure;
    }
  });
});
