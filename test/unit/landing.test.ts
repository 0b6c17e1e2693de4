/**
 * The root of each role and of a platform's address is a short page saying what the service is
 * and where its parts are (never a "not found… send the code to IT support" error), and every
 * page's icon is served, so no page logs a 404 for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolRoutes } from '../../src/apps/gateway.ts';
import { startLauncherWorld, type LauncherWorld } from '../platform/harness.ts';
import { startRole, type RunningRole } from '../support/servers.ts';

describe('root pages and the icon', () => {
  let world: LauncherWorld;
  let gateway: RunningRole;
  beforeAll(async () => {
    world = await startLauncherWorld(null);
    gateway = await startRole('tool', toolRoutes);
  });
  afterAll(async () => {
    await gateway?.close();
    await world?.close();
  });

  it('the launcher\'s root says what it is and links the console and health', async () => {
    const res = await fetch(`${world.launcher.url}/`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('<h1>LTI Launcher</h1>');
    for (const href of ['/admin', '/healthz', '/readyz', '/metrics']) expect(html).toContain(`href="${href}"`);
    expect(html).not.toContain('Error code');
  });

  it('a platform\'s root names the platform and its endpoints; an unknown one gets the launcher\'s page and writes nothing', async () => {
    const res = await fetch(`${world.platform.base_url}/`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Springfield High');
    expect(html).toContain(`${world.platform.base_url}/.well-known/openid-configuration`);
    const before = await world.launcher.services.db.selectFrom('launch_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const unknown = await fetch(`${world.launcher.url}/p/nowhere/`);
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).toContain('<h1>LTI Launcher</h1>');
    const after = await world.launcher.services.db.selectFrom('launch_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('the gateway\'s root gives the addresses an LMS registers', async () => {
    const res = await fetch(`${gateway.url}/`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('<h1>LTI tool gateway</h1>');
    expect(html).toContain(`${gateway.url}/lti/login`);
    expect(html).toContain(`${gateway.url}/.well-known/jwks.json`);
  });

  it('serves the icon in both roles, and pages link it', async () => {
    for (const base of [world.launcher.url, gateway.url]) {
      for (const path of ['/favicon.ico', '/favicon.svg']) {
        const res = await fetch(`${base}${path}`);
        expect(res.status, `${base}${path}`).toBe(200);
        expect(res.headers.get('content-type')).toContain('image/svg+xml');
        expect(await res.text()).toMatch(/^<svg /);
      }
    }
    expect(await (await fetch(`${gateway.url}/`)).text()).toContain('<link rel="icon" href="/favicon.svg"');
  });
});

