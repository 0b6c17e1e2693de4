import type { FastifyPluginAsync } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Services } from '../../src/server/services.ts';
import type { KeyRole } from '../../src/keys/keyring.ts';
import { platformRoutes } from '../../src/apps/launcher.ts';
import { toolFramable, toolRoutes } from '../../src/apps/gateway.ts';
import { basicAuth, startRole, type RunningRole } from '../support/servers.ts';

interface RoleCase {
  name: string;
  role: KeyRole;
  routes: FastifyPluginAsync<{ services: Services }>;
  framable?: (url: string) => boolean;
  /** An admin JSON API URL and a console page URL of that role. */
  api: string;
  console: string;
}

const ROLES: RoleCase[] = [
  { name: 'launcher', role: 'platform', routes: platformRoutes, api: '/admin/api/v1/platforms', console: '/admin/platforms' },
  { name: 'gateway', role: 'tool', routes: toolRoutes, framable: toolFramable, api: '/admin/api/v1/registrations', console: '/admin/registrations' },
];

const WRONG = basicAuth('admin', 'not-the-password');
const RIGHT = basicAuth();

describe.each(ROLES)('admin sign-in budget of the $name', (role) => {
  let running: RunningRole;
  const get = (path: string, authorization: string) => fetch(`${running.url}${path}`, { headers: { authorization } });

  beforeAll(async () => {
    running = await startRole(role.role, role.routes, { framable: role.framable });
  });
  afterAll(async () => running?.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is one budget shared by the console and the API: 10 failures in total, alternating, lock both', async () => {
    // Both surfaces work with the right password before anything failed.
    expect((await get(role.api, RIGHT)).status).toBe(200);
    expect((await get(role.console, RIGHT)).status).toBe(200);

    // Only Date is faked (the servers' sockets keep real timers), so the window can be passed below.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now());

    for (let i = 0; i < 10; i++) {
      const path = i % 2 === 0 ? role.api : role.console;
      const response = await get(path, WRONG);
      expect(response.status, `failure ${i + 1} on ${path}`).toBe(401);
      await response.arrayBuffer();
    }

    // Five failures on each surface: with one budget per surface, neither would be locked yet.
    for (const path of [role.api, role.console]) {
      const locked = await get(path, WRONG);
      expect(locked.status, `11th attempt on ${path}`).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(300);
      expect(await locked.text()).toContain('admin_rate_limited');

      const rightButLocked = await get(path, RIGHT);
      expect(rightButLocked.status, `right password on ${path} while locked`).toBe(429);
      expect(rightButLocked.headers.get('retry-after')).toBeTruthy();
      await rightButLocked.arrayBuffer();
    }

    // Still locked just before the window ends…
    vi.setSystemTime(Date.now() + 4 * 60_000);
    expect((await get(role.api, RIGHT)).status).toBe(429);
    expect((await get(role.console, RIGHT)).status).toBe(429);

    // …and open again once it has passed.
    vi.setSystemTime(Date.now() + 60_000 + 1_000);
    expect((await get(role.api, RIGHT)).status).toBe(200);
    expect((await get(role.console, RIGHT)).status).toBe(200);
  });
});

describe('admin sign-in budgets of two roles', () => {
  let launcher: RunningRole;
  let gateway: RunningRole;

  beforeAll(async () => {
    launcher = await startRole('platform', platformRoutes);
    gateway = await startRole('tool', toolRoutes, { framable: toolFramable });
  });
  afterAll(async () => {
    await launcher?.close();
    await gateway?.close();
  });

  it('are separate: locking the launcher leaves the gateway open', async () => {
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`${launcher.url}${i % 2 ? '/admin' : '/admin/api/v1/platforms'}`, { headers: { authorization: WRONG } });
      expect(response.status).toBe(401);
      await response.arrayBuffer();
    }
    expect((await fetch(`${launcher.url}/admin`, { headers: { authorization: RIGHT } })).status).toBe(429);
    expect((await fetch(`${gateway.url}/admin`, { headers: { authorization: RIGHT } })).status).toBe(200);
    expect((await fetch(`${gateway.url}/admin/api/v1/registrations`, { headers: { authorization: RIGHT } })).status).toBe(200);
  });
});
