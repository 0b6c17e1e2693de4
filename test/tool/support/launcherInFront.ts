/**
 * Our own launcher in front of the gateway, for the end-to-end tests: the IdP, the launcher on a
 * database of its own, a portal that signs course context, and a platform that signs users in
 * through the IdP — then the gateway made one of its tools, and the launcher one of the
 * gateway's platforms, field by field as docs/gateway.md says.
 */
import { expect } from 'vitest';
import { startIdp, type RunningIdp } from '../../../demo/idp/idp.ts';
import { platformRoutes } from '../../../src/apps/launcher.ts';
import { Portal } from '../../platform/harness.ts';
import { AdminApi } from '../../support/adminClient.ts';
import { dropDatabase, freshDatabaseUrl } from '../../support/db.ts';
import { startRole, type RunningRole } from '../../support/servers.ts';

export interface LauncherInFront {
  idp: RunningIdp;
  launcher: RunningRole;
  portal: Portal;
  platform: Record<string, any>;
  /** POSTs to the launcher's admin API; the created record (201 expected). */
  admin(path: string, body: unknown): Promise<Record<string, any>>;
  /** Makes the gateway a tool of the platform and the platform a registration of the gateway; the launcher's tool. */
  connectGateway(
    gateway: { url: string; admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> },
    tool: { name: string; targetLinkUri: string; fields?: Record<string, unknown>; registration?: Record<string, unknown> },
  ): Promise<Record<string, any>>;
  close(): Promise<void>;
}

export async function startLauncherInFront(dialect: 'sqlite' | 'postgres'): Promise<LauncherInFront> {
  const idp = await startIdp();
  const launcherDb = await freshDatabaseUrl(dialect);
  const launcher = await startRole('platform', platformRoutes, { databaseUrl: launcherDb });
  const portal = new Portal();
  await portal.init();
  const admin = async (path: string, body: unknown) => {
    const response = await new AdminApi(launcher.url).fetch(path, { method: 'POST', body });
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as Record<string, any>;
  };
  // A platform signed in through the IdP, with course context signed by the portal.
  const platform = await admin('/platforms', {
    name: 'Springfield High', slug: 'springfield', openid_configuration_url: idp.discoveryUrl,
    client_id: 'launcher-client', client_secret: 'launcher-secret-value', context_public_jwk: portal.publicJwk,
    role_claim: 'groups', role_map: { teacher: 'Instructor', student: 'Learner' },
  });
  portal.audience = platform.issuer;
  await idp.addClient({ client_id: 'launcher-client', client_secret: 'launcher-secret-value', redirect_uris: [platform.redirect_uri] });
  return {
    idp, launcher, portal, platform, admin,
    async connectGateway(gateway, tool) {
      const created = await admin(`/platforms/${platform.id}/tools`, {
        name: tool.name, client_id: 'gateway-client',
        open_id_connect_initiation_url: `${gateway.url}/lti/login`, target_link_uri: tool.targetLinkUri,
        public_key_url: `${gateway.url}/.well-known/jwks.json`, ...tool.fields,
      });
      const registered = await gateway.admin('POST', '/registrations', {
        name: 'Springfield High (launcher)', issuer: platform.issuer, client_id: 'gateway-client', deployment_ids: [created.deployment_id],
        authorization_endpoint: `${platform.base_url}/auth`, jwks_url: platform.jwks_url, ...tool.registration,
      });
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      return created;
    },
    async close() {
      await launcher.close();
      await dropDatabase(launcherDb);
      await idp.close();
    },
  };
}
