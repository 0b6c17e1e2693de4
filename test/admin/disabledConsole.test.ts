import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformRoutes } from '../../src/apps/launcher.ts';
import { toolFramable, toolRoutes } from '../../src/apps/gateway.ts';
import { basicAuth, startRole, type RunningRole } from '../support/servers.ts';

/**
 * Without ADMIN_PASSWORD every console page answers 403 admin_disabled. That page says how to
 * enable the console and nothing else: no navigation, no link back, as each would lead to it again.
 */
describe.each([
  { role: 'platform' as const, routes: platformRoutes, pages: ['/admin', '/admin/platforms', '/admin/keys'] },
  { role: 'tool' as const, routes: toolRoutes, pages: ['/admin', '/admin/apps', '/admin/launches'] },
])('the disabled $role console', ({ role, routes, pages }) => {
  let server: RunningRole;
  beforeAll(async () => {
    server = await startRole(role, routes, { framable: role === 'tool' ? toolFramable : undefined });
    // testConfig always sets a password; the console reads it per request.
    server.services.config.adminPassword = null;
  });
  afterAll(async () => server?.close());

  for (const path of pages) {
    it(`answers ${path} with the message how to enable it, and no navigation or links`, async () => {
      for (const headers of [{}, { authorization: basicAuth() }] as Array<Record<string, string>>) {
        const response = await fetch(`${server.url}${path}`, { headers });
        expect(response.status).toBe(403);
        const page = await response.text();
        expect(page).toContain('set ADMIN_PASSWORD (or ADMIN_PASSWORD_FILE) to enable it');
        expect(page).toContain('admin_disabled');
        expect(page).not.toContain('<nav');
        expect(page).not.toMatch(/<a\s/);
        expect(page).not.toContain('Back to the dashboard');
      }
    });
  }

  it('keeps the navigation on the other error pages of an enabled console', async () => {
    server.services.config.adminPassword = 'test-admin-password';
    try {
      const response = await fetch(`${server.url}/admin`, { headers: { authorization: basicAuth('admin', 'wrong') } });
      expect(response.status).toBe(401);
      expect(await response.text()).toContain('<nav');
    } finally {
      server.services.config.adminPassword = null;
    }
  });
});
