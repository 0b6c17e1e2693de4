/**
 * Every URL the gateway will fetch is checked on save with the policy of the fetch itself, so a
 * key set that can never be fetched is refused when it is typed, naming the setting that would
 * allow it — not at every launch with "try again in a moment". When a fetch does fail at launch,
 * the admin's launch detail (API and console) shows the real cause; the person's page keeps its
 * plain sentence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolFramable, toolRoutes } from '../../src/apps/gateway.ts';
import { basicAuth, startRole, type RunningRole } from '../support/servers.ts';
import { AdminApi } from '../support/adminClient.ts';
import { Browser } from '../support/browser.ts';
import { FakeLms } from './support/fakeLms.ts';
import { launch } from './support/gatewaySetup.ts';

async function adminOf(role: RunningRole) {
  const api = new AdminApi(role.url);
  return (method: string, path: string, body?: unknown) => api.call(method, path, body);
}

describe('the gateway checks the URLs it will fetch when they are saved', () => {
  let strict: RunningRole;
  let lms: FakeLms;
  beforeAll(async () => {
    lms = await FakeLms.start();
    strict = await startRole('tool', toolRoutes, { framable: toolFramable, config: { allowPrivateUrls: false } });
  });
  afterAll(async () => {
    await strict?.close();
    await lms?.close();
  });

  it('refuses a loopback jwks_url or token_endpoint on save, naming ALLOW_PRIVATE_URLS, and saves nothing', async () => {
    const admin = await adminOf(strict);
    const created = await admin('POST', '/registrations', {
      name: 'Local LMS', issuer: 'https://lms.example.edu', client_id: 'c1', deployment_ids: [],
      authorization_endpoint: 'https://lms.example.edu/auth', jwks_url: lms.jwksUrl, token_endpoint: 'http://localhost:9/token',
    });
    expect(created.status).toBe(422);
    expect(created.body.fields.jwks_url).toContain(`${lms.jwksUrl} points to a private or loopback address`);
    expect(created.body.fields.jwks_url).toContain('set ALLOW_PRIVATE_URLS=true');
    expect(created.body.fields.token_endpoint).toContain('set ALLOW_PRIVATE_URLS=true');
    expect((await admin('GET', '/registrations')).body.registrations).toHaveLength(0);
  });
});

describe('a key set fetch that fails at launch', () => {
  let gateway: RunningRole;
  let lms: FakeLms;
  let appUrl: string;
  beforeAll(async () => {
    lms = await FakeLms.start();
    gateway = await startRole('tool', toolRoutes, { framable: toolFramable });
    const admin = await adminOf(gateway);
    const registration = await admin('POST', '/registrations', {
      name: 'Fake LMS', issuer: lms.issuer, client_id: lms.clientId, deployment_ids: [lms.deploymentId],
      authorization_endpoint: lms.authorizationEndpoint, jwks_url: lms.jwksUrl,
    });
    expect(registration.status).toBe(201);
    appUrl = (await admin('POST', '/apps', { name: 'Chatbot', slug: 'chatbot', app_url: 'http://127.0.0.1:9/app' })).body.launch_url;
  });
  afterAll(async () => {
    await gateway?.close();
    await lms?.close();
  });

  it('shows the admin the real cause in the launch detail, and the person the plain sentence', async () => {
    lms.jwksDown = true;
    try {
      const run = await launch(new Browser(), lms, gateway, { targetLinkUri: appUrl });
      const page = await run.launch!.text();
      expect(run.launch!.status).toBe(502);
      expect(page).toContain('could not be fetched');
      expect(page).not.toContain(lms.jwksUrl);

      const requestId = run.launch!.headers.get('x-request-id')!;
      const admin = await adminOf(gateway);
      const { body } = await admin('GET', `/launches?request_id=${requestId}`);
      const failed = body.launches[0].steps.find((s: { outcome: string }) => s.outcome === 'failed');
      expect(failed).toMatchObject({ code: 'jwks_unavailable', detail: expect.stringContaining(`${lms.jwksUrl}: HTTP 503`) });

      const detail = await fetch(`${gateway.url}/admin/launches/${body.launches[0].id}`, { headers: { authorization: basicAuth() } });
      const html = await detail.text();
      expect(html).toContain('Cause (for administrators');
      expect(html).toContain(`${lms.jwksUrl}: HTTP 503`);
    } finally {
      lms.jwksDown = false;
    }
  });
});
