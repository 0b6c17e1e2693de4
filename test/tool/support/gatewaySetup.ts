import { afterAll, beforeAll, expect } from 'vitest';
import type { PlatformKeysOptions } from '../../../src/tool/platformKeys.ts';
import { createToolRoutes, toolFramable, toolRoutes } from '../../../src/apps/gateway.ts';
import { dropDatabase, freshDatabaseUrl } from '../../support/db.ts';
import { AdminApi } from '../../support/adminClient.ts';
import { startRole, type RunningRole } from '../../support/servers.ts';
import { Browser } from '../../support/browser.ts';
import { FakeLms, type TokenTweaks } from './fakeLms.ts';

export interface TestGateway extends RunningRole {
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

export async function startGateway(dialect: 'sqlite' | 'postgres', options: { jwks?: PlatformKeysOptions } = {}): Promise<TestGateway> {
  const databaseUrl = await freshDatabaseUrl(dialect);
  const routes = options.jwks ? createToolRoutes({ jwks: options.jwks }) : toolRoutes;
  const role = await startRole('tool', routes, { databaseUrl, framable: toolFramable });
  const api = new AdminApi(role.url);
  return {
    ...role,
    async close() {
      await role.close();
      await dropDatabase(databaseUrl);
    },
    admin: (method, path, body) => api.call(method, path, body),
  };
}

export async function registerLms(gateway: TestGateway, lms: FakeLms, extra: Record<string, unknown> = {}): Promise<any> {
  const created = await gateway.admin('POST', '/registrations', {
    name: 'Fake LMS',
    issuer: lms.issuer,
    client_id: lms.clientId,
    deployment_ids: [lms.deploymentId],
    authorization_endpoint: lms.authorizationEndpoint,
    jwks_url: lms.jwksUrl,
    ...extra,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

/** An app as created through the admin API: its API key is only shown then. */
export interface TestApp {
  id: string;
  api_key: string;
  launch_url: string;
}

export async function createApp(gateway: TestGateway, input: Record<string, unknown>): Promise<TestApp> {
  const created = await gateway.admin('POST', '/apps', { name: 'Chatbot', slug: 'chatbot', app_url: 'http://127.0.0.1:9/app', ...input });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

export interface GatewayOptions<Name extends string> {
  dialect: 'sqlite' | 'postgres';
  /** Options of the gateway's cache of platform keys (TTL, cooldown). */
  jwks?: PlatformKeysOptions;
  /** A FakeLms registered with the gateway (the default), only started, or none. */
  lms?: 'registered' | 'started' | 'none';
  /** Apps to create through the admin API, in this order, under the names the handle gives them. */
  apps?: Record<Name, Record<string, unknown>>;
}

/** What useGateway set up; its fields are filled in by the beforeAll hook. */
export interface GatewayWorld<Name extends string = never> {
  gateway: TestGateway;
  /** Undefined when the options said `lms: 'none'`. */
  lms: FakeLms;
  /** The LMS's registration as the admin API answered it; undefined unless the LMS is registered. */
  registration: { id: string } & Record<string, unknown>;
  apps: Record<Name, TestApp>;
}

/**
 * A gateway of its own for a describe block (or a file), on a fresh database of the given dialect:
 * starts the FakeLms and the gateway, registers the LMS and creates the apps before all tests,
 * closes them after all. Hooks a file registers after this call run after its beforeAll and before
 * its afterAll.
 */
export function useGateway<Name extends string = never>(options: GatewayOptions<Name>): GatewayWorld<Name> {
  const apps = {} as Record<Name, TestApp>;
  const world: Partial<GatewayWorld<Name>> = { apps };
  const lms = options.lms ?? 'registered';
  beforeAll(async () => {
    if (lms !== 'none') world.lms = await FakeLms.start();
    const gateway = (world.gateway = await startGateway(options.dialect, { jwks: options.jwks }));
    if (lms === 'registered') world.registration = await registerLms(gateway, world.lms!);
    for (const [name, input] of Object.entries(options.apps ?? {}) as Array<[Name, Record<string, unknown>]>) {
      apps[name] = await createApp(gateway, input);
    }
  });
  afterAll(async () => {
    await world.gateway?.close();
    await world.lms?.close();
  });
  return world as GatewayWorld<Name>;
}

export interface LaunchRun {
  login: Response;
  auth?: Response;
  launch?: Response;
  launchBody?: string;
}

/**
 * LMS → gateway over real HTTP, as a browser does it: login initiation, the redirect to the LMS,
 * the LMS's auto-submitted form back to the launch URL.
 */
export async function launch(
  browser: Browser,
  lms: FakeLms,
  gateway: RunningRole,
  options: {
    targetLinkUri: string;
    tweaks?: TokenTweaks;
    login?: Record<string, string>;
    method?: 'GET' | 'POST';
    /** Runs between the login redirect and the LMS's answer (to age a state, use a nonce…). */
    beforeAuth?: (authRequest: URL) => Promise<void>;
  },
): Promise<LaunchRun> {
  const loginHint = `hint-${Math.random().toString(36).slice(2)}`;
  if (options.tweaks) lms.tweaks.set(loginHint, options.tweaks);
  const params: Record<string, string> = {
    iss: lms.issuer,
    login_hint: loginHint,
    target_link_uri: options.targetLinkUri,
    lti_message_hint: 'message-hint-1',
    client_id: lms.clientId,
    lti_deployment_id: lms.deploymentId,
    ...options.login,
  };
  for (const [k, v] of Object.entries(params)) if (v === '') delete params[k];
  const login = options.method === 'POST'
    ? await browser.post(`${gateway.url}/lti/login`, params)
    : await browser.get(`${gateway.url}/lti/login?${new URLSearchParams(params)}`);
  if (login.status !== 302) return { login };
  const authUrl = new URL(login.headers.get('location')!);
  await options.beforeAuth?.(authUrl);
  const auth = await browser.get(authUrl.href);
  const launchResponse = await browser.submitForm(await auth.text(), lms.url);
  return { login, auth, launch: launchResponse, launchBody: await launchResponse.clone().text() };
}
