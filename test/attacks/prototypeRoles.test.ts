/**
 * Issue 14, item 5: IdP groups or LTI roles named like members of Object.prototype —
 * `constructor`, `__proto__`, `toString`, `hasOwnProperty` — are values like any other. They used
 * to find a function in the role map (launcher) or the permission map (gateway) and answer 500.
 * Now they map to nothing: the launcher's launch goes through without a role (flagged), the
 * gateway's grants the `*` permissions. Real IdP, real LMS stand-in, real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../demo/idp/idp.ts';
import { permissionsFor, DEFAULT_PERMISSIONS } from '../../src/tool/permissions.ts';
import { finishLaunch, runLaunch, startLauncherWorld, type LauncherWorld } from '../platform/harness.ts';
import { Browser } from '../support/browser.ts';
import { launch, useGateway } from '../tool/support/gatewaySetup.ts';

const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

describe('role names that are Object.prototype members', () => {
  it('grant nothing by themselves in a permission map (the * permissions apply)', () => {
    for (const name of NAMES) {
      expect(permissionsFor([name, `http://purl.imsglobal.org/vocab/lis/v2/membership#${name}`], DEFAULT_PERMISSIONS), name).toEqual(['chat']);
      // As a sub-role it has no mapping of its own, so its principal role decides, as for any unmapped sub-role.
      const instructor = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor';
      expect(permissionsFor([instructor, `http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#${name}`], DEFAULT_PERMISSIONS), name).toEqual(['chat', 'configure', 'view_reports', 'grade']);
    }
  });

  describe('at the launcher, as IdP groups', () => {
    let world: LauncherWorld;
    beforeAll(async () => {
      const eve = { ...DEMO_USERS[0], id: 'eve', name: 'Eve Hacker', given_name: 'Eve', family_name: 'Hacker', email: 'eve@school.example', groups: NAMES };
      world = await startLauncherWorld(null, { idp: { users: [...DEMO_USERS, eve] } });
    });
    afterAll(async () => world?.close());

    it('launch without a role, flagged no_role_mapped — never a 500', async () => {
      const started = await runLaunch(world, { user: 'eve' });
      expect(started.stage, `callback answered ${started.response.status}`).toBe('tool_login');
      const { toolResponse } = await finishLaunch(started.browser, started.toolLogin!);
      expect(toolResponse?.status).toBe(200);
      expect(world.tool.launches.at(-1)!['https://purl.imsglobal.org/spec/lti/claim/roles']).toEqual([]);
      const { launches } = (await (await world.admin('/launches?warning=true')).json()) as { launches: any[] };
      expect(launches[0].steps.find((s: any) => s.idp_roles).idp_roles).toMatchObject({ values: NAMES, roles: [] });
    });
  });

  describe('at the gateway, as LTI roles', () => {
    const world = useGateway({ dialect: 'sqlite', apps: { chatbot: { slug: 'chatbot' } } });

    it('launch with the * permissions — never a 500', async () => {
      const run = await launch(new Browser(), world.lms, world.gateway, {
        targetLinkUri: world.apps.chatbot.launch_url,
        tweaks: { claims: { 'https://purl.imsglobal.org/spec/lti/claim/roles': [...NAMES, ...NAMES.map((n) => `http://purl.imsglobal.org/vocab/lis/v2/membership#${n}`)] } },
      });
      expect(run.launch!.status, run.launchBody?.slice(0, 300)).toBe(303);
      const code = new URL(run.launch!.headers.get('location')!).searchParams.get('launch_code')!;
      const redeemed = await fetch(`${world.gateway.url}/api/v1/launches/${code}`, { headers: { authorization: `Bearer ${world.apps.chatbot.api_key}` } });
      expect(redeemed.status).toBe(200);
      expect(((await redeemed.json()) as { permissions: string[] }).permissions).toEqual(['chat']);
    });
  });
});
