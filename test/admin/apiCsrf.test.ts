import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformRoutes } from '../../src/apps/launcher.ts';
import { basicAuth, startRole, type RunningRole } from '../support/servers.ts';

/** The JSON API has no form token: a browser signed in to the console must not be usable against it. */
describe('admin JSON API against cross-site requests', () => {
  let launcher: RunningRole;
  beforeAll(async () => {
    launcher = await startRole('platform', platformRoutes);
  });
  afterAll(async () => launcher?.close());

  const rotate = (headers: Record<string, string>, body?: BodyInit) =>
    fetch(`${launcher.url}/admin/api/v1/keys/rotate`, { method: 'POST', headers: { authorization: basicAuth(), ...headers }, body });

  it('refuses a form a hostile page posts with the browser\'s Basic credentials, and rotates nothing', async () => {
    const before = await launcher.services.keys.list();
    const form = await rotate({ 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, 'x=1');
    expect(form.status).toBe(403);
    expect(await form.json()).toMatchObject({ error: 'csrf_cross_site' });
    const oldBrowser = await rotate({ 'content-type': 'text/plain', origin: 'https://evil.example' }, 'x');
    expect(oldBrowser.status).toBe(403);
    expect(await oldBrowser.json()).toMatchObject({ error: 'csrf_origin_mismatch' });
    const noOrigin = await rotate({ 'content-type': 'text/plain' }, 'x');
    expect(noOrigin.status).toBe(415);
    expect(await noOrigin.json()).toMatchObject({ error: 'request_not_json' });
    expect(await launcher.services.keys.list()).toEqual(before);
  });

  it('still accepts programs: JSON bodies, and bodiless writes without browser headers', async () => {
    expect((await rotate({})).status).toBe(200);
    const created = await fetch(`${launcher.url}/admin/api/v1/platforms`, {
      method: 'POST', headers: { authorization: basicAuth(), 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ name: 'x' }),
    });
    expect(created.status).toBe(422);
  });
});
