import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { JWK } from 'jose';
import { loadConfig, type Config } from '../src/config.ts';
import { createServices, startHousekeeping } from '../src/server/runtime.ts';
import { buildServer } from '../src/server/server.ts';
import type { Services } from '../src/server/services.ts';
import { platformRoutes } from '../src/apps/launcher.ts';
import { DEFAULT_PERMISSIONS } from '../src/tool/permissions.ts';
import { toolFramable, toolRoutes } from '../src/apps/gateway.ts';
import { startChatbot } from '../examples/chatbot/chatbot.ts';
import { DEMO_USERS, startIdp } from './idp/idp.ts';
import { resolveLocalhostNames } from './localhostDns.ts';
import { demoPorts, portInUseMessage, type DemoPorts } from './ports.ts';
import { startPortal } from './portal/portal.ts';

/**
 * `npm start`: the whole system on this machine, on embedded defaults. Every part has its own
 * `*.localhost` site, so the browser crosses sites exactly as it would in production:
 *   portal.localhost → demo.launcher.localhost → idp.localhost → tool.localhost → chat.localhost
 */
export interface DemoOptions {
  reset?: boolean;
  dataDir?: string;
  ports?: Partial<DemoPorts>;
  host?: string;
  logLevel?: string;
  quiet?: boolean;
}

export interface RunningDemo {
  urls: { portal: string; idp: string; launcher: string; platform: string; gateway: string; chat: string };
  adminUser: string;
  adminPassword: string;
  dataDir: string;
  launcher: { app: FastifyInstance; services: Services };
  gateway: { app: FastifyInstance; services: Services };
  close(): Promise<void>;
}

interface DemoState {
  adminPassword: string;
  idpClientSecret: string;
  portalJwk?: JWK;
  chatbotApiKey?: string;
  chatbotSecret: string;
}

const SLUG = 'demo';
const TOOL_CLIENT_ID = 'demo-course-chat';
const IDP_CLIENT_ID = 'lti-launcher-demo';

function loadState(file: string): DemoState {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DemoState;
  return {
    adminPassword: process.env.ADMIN_PASSWORD ?? randomBytes(9).toString('base64url'),
    idpClientSecret: randomBytes(24).toString('base64url'),
    chatbotSecret: randomBytes(32).toString('base64url'),
  };
}

function saveState(file: string, state: DemoState): void {
  writeFileSync(file, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
}

/**
 * The demo school's policy for the chatbot: the gateway's defaults, but a TA is course staff and
 * may set the assistant's instructions (`configure`). An app's permission map is where a school
 * says this; the gateway's defaults stay least-privilege (see src/tool/permissions.ts).
 */
/** The IdP's groups and the LTI roles they are (the platform's role map, and the roster the portal pushes). */
const ROLE_MAP = { teacher: 'Instructor', student: 'Learner', ta: 'TeachingAssistant' } as const;

const CHATBOT_PERMISSIONS = { ...DEFAULT_PERMISSIONS, TeachingAssistant: ['chat', 'configure', 'view_reports', 'grade'] };

async function admin(base: string, password: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<any> {
  const response = await fetch(`${base}/admin/api/v1${path}`, {
    method: init.method ?? (init.body ? 'POST' : 'GET'),
    headers: {
      authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`,
      accept: 'application/json',
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`demo setup: ${init.method ?? 'GET'} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  resolveLocalhostNames();
  const dataDir = resolve(options.dataDir ?? process.env.DATA_DIR ?? './data', 'demo');
  if (options.reset) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const stateFile = join(dataDir, 'demo.json');
  const state = loadState(stateFile);
  saveState(stateFile, state);

  const host = options.host ?? process.env.DEMO_HOST ?? '127.0.0.1';
  const ports = demoPorts(options.ports);
  const logLevel = options.logLevel ?? process.env.LOG_LEVEL ?? 'warn';
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch(() => {});
  };

  try {
    // Listening on port 0 (tests) means the public URL is known only after listen; the fixed
    // demo ports make every URL known up front.
    const launcherUrl = `http://launcher.localhost:${ports.launcher}`;
    const platformUrl = `http://${SLUG}.launcher.localhost:${ports.launcher}`;
    const gatewayUrl = `http://tool.localhost:${ports.gateway}`;
    const chatUrl = `http://chat.localhost:${ports.chat}`;

    const portalUrl = `http://portal.localhost:${ports.portal}`;
    const idp = await startIdp({
      port: ports.idp, host, issuer: `http://idp.localhost:${ports.idp}`,
      // The portal's "Sign in as someone else" ends the IdP session and comes back to the portal.
      clients: [{
        client_id: IDP_CLIENT_ID, client_secret: state.idpClientSecret, redirect_uris: [`${platformUrl}/callback`],
        post_logout_redirect_uris: [`${portalUrl}/`],
      }],
    });
    closers.push(() => idp.close());

    const portal = await startPortal({
      port: ports.portal, host, publicUrl: portalUrl,
      toolsUrl: `${platformUrl}/api/v1/tools`, audience: platformUrl, apiUrl: `${platformUrl}/api/v1`, privateJwk: state.portalJwk,
      // The school's class list: every demo user, in the role their IdP group gives.
      roster: DEMO_USERS.map((u) => ({
        sub: idp.subjectFor(u.id, IDP_CLIENT_ID), name: u.name, given_name: u.given_name, family_name: u.family_name, email: u.email,
        roles: u.groups.map((g) => ROLE_MAP[g as keyof typeof ROLE_MAP]).filter(Boolean),
      })),
      signOutUrl: idp.signOutUrl(IDP_CLIENT_ID, `${portalUrl}/`),
    });
    closers.push(() => portal.close());
    if (!state.portalJwk) {
      state.portalJwk = portal.privateJwk;
      saveState(stateFile, state);
    }

    const roleConfig = (port: number, publicUrl: string, extra: Partial<Config> = {}): Config =>
      loadConfig(
        { ADMIN_PASSWORD: state.adminPassword, LOG_LEVEL: logLevel },
        // Everything runs on loopback (*.localhost): plain http is allowed there by default, and
        // ALLOW_PRIVATE_URLS lets the roles fetch each other's loopback addresses.
        { port, host, publicUrl, dataDir, allowPrivateUrls: true, ...extra },
      );
    const startRole = async (role: 'platform' | 'tool', config: Config) => {
      const services = await createServices(config, { role, sqliteFile: role === 'platform' ? 'launcher.sqlite' : 'gateway.sqlite' });
      const app = await buildServer(services, role === 'platform' ? { routes: platformRoutes } : { routes: toolRoutes, framable: toolFramable });
      await app.listen({ port: config.port, host });
      const stop = startHousekeeping(services);
      closers.push(async () => {
        stop();
        await app.close();
        await services.db.destroy();
      });
      return { app, services };
    };
    const launcher = await startRole('platform', roleConfig(ports.launcher, launcherUrl, { domain: 'launcher.localhost' }));
    const gateway = await startRole('tool', roleConfig(ports.gateway, gatewayUrl));

    // ---- provisioning through the admin APIs (a second start finds everything in place) ----
    const { platforms } = await admin(launcherUrl, state.adminPassword, '/platforms');
    let platform = platforms.find((p: any) => p.slug === SLUG);
    if (!platform) {
      platform = await admin(launcherUrl, state.adminPassword, '/platforms', {
        body: {
          name: 'Springfield School', slug: SLUG, openid_configuration_url: idp.discoveryUrl,
          client_id: IDP_CLIENT_ID, client_secret: state.idpClientSecret, context_jwks_url: portal.jwksUrl,
          role_claim: 'groups', role_map: ROLE_MAP,
        },
      });
    } else {
      // The demo IdP's keys and endpoints are made anew at each start: refresh the discovery (and
      // follow the IdP and the portal to other ports, when DEMO_*_PORT moved them).
      platform = await admin(launcherUrl, state.adminPassword, `/platforms/${platform.id}`, {
        method: 'PATCH',
        body: { openid_configuration_url: idp.discoveryUrl, client_id: IDP_CLIENT_ID, client_secret: state.idpClientSecret, context_jwks_url: portal.jwksUrl },
      });
    }

    const { registrations } = await admin(gatewayUrl, state.adminPassword, '/registrations');
    const registration = registrations.find((r: any) => r.issuer === platform.issuer && r.client_id === TOOL_CLIENT_ID);
    if (!registration) {
      await admin(gatewayUrl, state.adminPassword, '/registrations', {
        body: {
          name: 'Springfield School (LTI Launcher)', issuer: platform.issuer, client_id: TOOL_CLIENT_ID, deployment_ids: [],
          authorization_endpoint: `${platform.base_url}/auth`, jwks_url: platform.jwks_url, token_endpoint: platform.token_url,
        },
      });
    } else if (registration.token_endpoint !== platform.token_url) {
      // A data directory from before the gateway used the launcher's grades and rosters.
      await admin(gatewayUrl, state.adminPassword, `/registrations/${registration.id}`, { method: 'PATCH', body: { token_endpoint: platform.token_url } });
    }
    const { apps } = await admin(gatewayUrl, state.adminPassword, '/apps');
    let app = apps.find((a: any) => a.slug === 'chatbot');
    if (!app) {
      app = await admin(gatewayUrl, state.adminPassword, '/apps', {
        body: { name: 'Course Chat', slug: 'chatbot', app_url: `${chatUrl}/lti`, permissions: CHATBOT_PERMISSIONS },
      });
      state.chatbotApiKey = app.api_key;
      saveState(stateFile, state);
    } else if (app.app_url !== `${chatUrl}/lti` || JSON.stringify(app.permissions) !== JSON.stringify(CHATBOT_PERMISSIONS)) {
      // A data directory from an earlier start: the chatbot may have moved (DEMO_CHAT_PORT), and
      // older demos did not give TAs `configure` yet.
      app = { ...app, ...await admin(gatewayUrl, state.adminPassword, `/apps/${app.id}`, {
        method: 'PATCH', body: { app_url: `${chatUrl}/lti`, permissions: CHATBOT_PERMISSIONS },
      }) };
    }
    if (!state.chatbotApiKey) {
      state.chatbotApiKey = (await admin(gatewayUrl, state.adminPassword, `/apps/${app.id}/api-key`, { method: 'POST' })).api_key;
      saveState(stateFile, state);
    }

    const { tools } = await admin(launcherUrl, state.adminPassword, `/platforms/${platform.id}/tools`);
    const chatTool = tools.find((t: any) => t.client_id === TOOL_CLIENT_ID);
    const chatToolUrls = {
      open_id_connect_initiation_url: `${gatewayUrl}/lti/login`, target_link_uri: `${gatewayUrl}/lti/launch/chatbot`,
      public_key_url: `${gatewayUrl}/.well-known/jwks.json`,
    };
    if (!chatTool) {
      await admin(launcherUrl, state.adminPassword, `/platforms/${platform.id}/tools`, {
        body: { name: 'Course Chat', description: 'Ask the course assistant about Finding the Answer.', client_id: TOOL_CLIENT_ID, ...chatToolUrls },
      });
    } else if (Object.entries(chatToolUrls).some(([name, value]) => chatTool[name] !== value)) {
      // The gateway moved (DEMO_GATEWAY_PORT) since the data directory was made.
      await admin(launcherUrl, state.adminPassword, `/tools/${chatTool.id}`, { method: 'PATCH', body: chatToolUrls });
    }

    // The portal pushes its course roster once the platform trusts its key: tools can then grade
    // every student, and the portal's Grades page names them.
    await portal.pushRoster().catch((err: Error) => {
      throw new Error(`demo setup: the portal's roster push failed: ${err.message}`);
    });

    const chatbot = await startChatbot({
      port: ports.chat, host, publicUrl: chatUrl, gatewayUrl, apiKey: state.chatbotApiKey!,
      sessionSecret: state.chatbotSecret, dataFile: join(dataDir, 'chatbot.sqlite'), logLevel,
    });
    closers.push(() => chatbot.close());

    return {
      urls: { portal: portal.url, idp: idp.issuer, launcher: launcherUrl, platform: platformUrl, gateway: gatewayUrl, chat: chatUrl },
      adminUser: 'admin',
      adminPassword: state.adminPassword,
      dataDir: relative(process.cwd(), dataDir) || '.',
      launcher,
      gateway,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The `lti-launcher demo` command. */
export async function runDemo(args: string[]): Promise<number> {
  const reset = args.includes('--reset');
  let demo: RunningDemo;
  try {
    demo = await startDemo({ reset });
  } catch (err) {
    const e = err as { code?: string; port?: number };
    if (e.code === 'EADDRINUSE') {
      process.stderr.write(portInUseMessage(e.port, demoPorts()));
      return 1;
    }
    throw err;
  }
  const users = DEMO_USERS.map((u) => `${u.name} (${u.groups.join(', ')})`).join(', ');
  process.stdout.write(`
LTI Launcher demo is running — everything on this machine, data in ${demo.dataDir}

  Open the school portal:  ${demo.urls.portal}
  and click "Course Chat". Sign in at the demo IdP as one of: ${users}.
  To try another role, click "Sign in as someone else" on the portal, then "Course Chat" again.
  The portal's "Grades" page lists the grades the tools sent, read from the launcher's portal API.

  Launcher admin:   ${demo.urls.launcher}/admin   (user ${demo.adminUser}, password ${demo.adminPassword})
  Gateway admin:    ${demo.urls.gateway}/admin    (same login)
  Platform issuer:  ${demo.urls.platform}
  Demo IdP:         ${demo.urls.idp}
  Chatbot:          ${demo.urls.chat}

Ctrl-C stops everything. \`npm start -- --reset\` starts from scratch.
`);
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('\nStopping the demo…\n');
  await demo.close();
  return 0;
}
