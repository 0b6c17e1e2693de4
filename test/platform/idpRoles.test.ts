/**
 * Roles are never lost in silence: each sign-in keeps, in the launch log, the values the IdP sent
 * in the role claim and the roles they mapped to. A launch whose values mapped to no role still
 * goes through (the tool decides what a role-less user may do) but carries the warning
 * `no_role_mapped`, shown on its detail page, in the launch log filter and on the dashboard; the
 * role-map form lists the values the IdP has sent lately. Real IdP, real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient } from '../support/adminClient.ts';
import { finishLaunch, runLaunch, startLauncherWorld, type LauncherWorld } from './harness.ts';

describe('the IdP\'s role values in the launch log', () => {
  let world: LauncherWorld;
  beforeAll(async () => {
    world = await startLauncherWorld(null);
  });
  afterAll(async () => world?.close());

  async function launchAs(user: string) {
    const started = await runLaunch(world, { user });
    expect(started.stage).toBe('tool_login');
    const { toolResponse } = await finishLaunch(started.browser, started.toolLogin!);
    expect(toolResponse?.status).toBe(200);
    const launchId = started.toolLogin!.searchParams.get('lti_message_hint')!;
    const { launches } = (await (await world.admin(`/launches?request_id=${started.response.headers.get('x-request-id')}`)).json()) as { launches: any[] };
    expect(launches).toHaveLength(1);
    expect(launches[0].id).toBe(launchId);
    return launches[0];
  }

  it('keeps the values the IdP sent and the roles they became, with no warning when they mapped', async () => {
    const entry = await launchAs('ada');
    expect(entry.outcome).toBe('success');
    expect(entry.warning).toBeNull();
    const step = entry.steps.find((s: any) => s.idp_roles);
    expect(step.idp_roles).toEqual({ claim: 'groups', values: ['teacher'], roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'] });
  });

  it('flags a launch whose values mapped to no role — on the detail page, in the log filter, on the dashboard — and the form shows the values seen', async () => {
    // The README's example map: values the demo IdP does not send.
    const patched = await world.admin(`/platforms/${world.platform.id}`, { method: 'PATCH', body: { role_map: { teachers: 'Instructor', students: 'Learner' } } });
    expect(patched.status).toBe(200);
    try {
      const entry = await launchAs('alan');
      expect(entry.outcome).toBe('success');
      expect(entry.warning).toBe('no_role_mapped');
      expect(entry.steps.find((s: any) => s.idp_roles).idp_roles).toEqual({ claim: 'groups', values: ['student'], roles: [] });
      expect(world.tool.launches.at(-1)!['https://purl.imsglobal.org/spec/lti/claim/roles']).toEqual([]);

      const warned = (await (await world.admin('/launches?warning=true')).json()) as { launches: any[] };
      expect(warned.launches.map((l) => l.id)).toEqual([entry.id]);

      const client = new ConsoleClient(world.launcher.url);
      const detail = await client.get(`/admin/launches/${entry.id}`);
      expect(detail.html).toContain('Warning: no role');
      expect(detail.html).toContain('Roles from the IdP');
      expect(detail.html).toMatch(/<dt>Values the IdP sent<\/dt><dd><code>student<\/code><\/dd>/);
      expect(detail.html).toMatch(/<dt>Roles the tool got<\/dt><dd><span class="muted">none<\/span><\/dd>/);

      const list = await client.get('/admin/launches?outcome=warning');
      expect(list.html).toContain(`/admin/launches/${entry.id}`);
      expect(list.html).toContain('<span class="badge warning">no role</span>');

      const dashboard = await client.get('/admin');
      expect(dashboard.html).toContain('Launches with a warning, last 24 hours');
      expect(dashboard.html).toContain(`/admin/launches/${entry.id}`);

      const form = await client.get(`/admin/platforms/${world.platform.id}/edit`);
      expect(form.status).toBe(200);
      expect(form.html).toMatch(/Seen from the IdP in <code>groups<\/code> in the last 7 days:\s*<code>student<\/code> \(1, not in the role map\), <code>teacher<\/code> \(1, not in the role map\)/);
    } finally {
      await world.admin(`/platforms/${world.platform.id}`, { method: 'PATCH', body: { role_map: { teacher: 'Instructor', student: 'Learner', ta: ['TeachingAssistant'] } } });
    }
  });
});
