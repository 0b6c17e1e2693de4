import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, type JWTPayload } from 'jose';
import { startIdp, type RunningIdp, type StartIdpOptions } from '../../demo/idp/idp.ts';
import type { Config } from '../../src/config.ts';
import { platformRoutes } from '../../src/apps/launcher.ts';
import { AdminApi, type AdminRequest } from '../support/adminClient.ts';
import { Browser } from '../support/browser.ts';
import { CookieJar } from '../support/cookieJar.ts';
import { readForm } from '../support/htmlForm.ts';
import { loginThroughIdp } from '../support/idpLogin.ts';
import { afterAll, beforeAll } from 'vitest';
import { dropDatabase, freshDatabaseUrl, tempDir } from '../support/db.ts';
import { basicAuth, startRole, type RunningRole } from '../support/servers.ts';

/**
 * A tool that does its side of the LTI OIDC dance over real HTTP with jose: third-party initiated
 * login → redirect to the platform's /auth → verification of the id_token posted back.
 */
export class FakeTool {
  server!: Server;
  url = '';
  platformAuthUrl = '';
  platformJwksUrl = '';
  issuer = '';
  clientId = 'tool-client-1';
  states = new Map<string, string>();
  launches: JWTPayload[] = [];
  jwk: Record<string, unknown> = {};
  /** The private half of `jwk`: it signs this tool's client assertions at the platform's token endpoint. */
  privateKey!: CryptoKey;
  /** Overrides of the auth request parameters, for rejection tests. */
  authOverrides: Record<string, string | null> = {};
  /** A login initiation method this tool refuses with 401, as some tool libraries do (LTI Core §4.1 allows both). */
  refuseLoginMethod: 'GET' | 'POST' | null = null;
  /** The login initiations received: how, and with which parameters. */
  logins: Array<{ method: string; params: Record<string, string> }> = [];

  /** What signs this tool's client assertions (its `jwk`'s key, under its client id). */
  get signer(): { clientId: string; kid: string; alg: string; privateKey: CryptoKey } {
    return { clientId: this.clientId, kid: String(this.jwk.kid), alg: 'RS256', privateKey: this.privateKey };
  }

  async start(): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    this.privateKey = privateKey;
    this.jwk = { ...(await exportJWK(publicKey)), alg: 'RS256', use: 'sig', kid: 'tool-key-1' };
    this.server = createServer((req, res) => void this.handle(req, res).catch((err) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err?.message ?? err));
    }));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const url = new URL(req.url!, this.url);
    if (url.pathname === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [this.jwk] }));
      return;
    }
    if (url.pathname === '/login') {
      let p = url.searchParams;
      if (req.method === 'POST') {
        let body = '';
        for await (const chunk of req) body += chunk;
        p = new URLSearchParams(body);
      }
      this.logins.push({ method: req.method!, params: Object.fromEntries(p) });
      if (req.method === this.refuseLoginMethod) {
        res.writeHead(401, { 'content-type': 'text/plain' }).end(`this tool does not accept login initiation by ${req.method}`);
        return;
      }
      if (p.get('iss') !== this.issuer || p.get('client_id') !== this.clientId) {
        res.writeHead(400).end('unknown issuer or client');
        return;
      }
      const state = crypto.randomUUID();
      const nonce = crypto.randomUUID();
      this.states.set(state, nonce);
      const auth = new URL(this.platformAuthUrl);
      const params: Record<string, string | null> = {
        scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none',
        client_id: this.clientId, redirect_uri: p.get('target_link_uri'), login_hint: p.get('login_hint'),
        lti_message_hint: p.get('lti_message_hint'), state, nonce, ...this.authOverrides,
      };
      for (const [k, v] of Object.entries(params)) if (v !== null) auth.searchParams.set(k, v);
      res.writeHead(302, { location: auth.href }).end();
      return;
    }
    if (url.pathname === '/launch' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      const nonce = this.states.get(form.get('state') ?? '');
      if (!nonce) {
        res.writeHead(400).end('unknown state');
        return;
      }
      const { payload } = await jwtVerify(form.get('id_token')!, createRemoteJWKSet(new URL(this.platformJwksUrl)), {
        issuer: this.issuer, audience: this.clientId, algorithms: ['RS256'], maxTokenAge: '5m',
      });
      if (payload.nonce !== nonce) {
        res.writeHead(400).end('nonce mismatch');
        return;
      }
      this.launches.push(payload);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, sub: payload.sub }));
      return;
    }
    res.writeHead(404).end();
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The school portal: signs course context into its tool links. */
export class Portal {
  privateKey!: CryptoKey;
  publicJwk: Record<string, unknown> = {};
  /** The launcher issuer its context JWTs name as `aud` (set once the platform exists). */
  audience: string | null = null;

  async init(alg = 'RS256'): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    this.privateKey = privateKey;
    this.publicJwk = { ...(await exportJWK(publicKey)), kid: 'portal-1', alg, use: 'sig' };
  }

  /** A context JWT as a conformant portal signs it: `aud` is the platform's issuer unless the claims set their own (undefined: none). */
  async context(claims: Record<string, unknown>, options: { exp?: string | number; alg?: string; kid?: string; key?: CryptoKey } = {}): Promise<string> {
    return new SignJWT('aud' in claims || this.audience === null ? claims : { aud: this.audience, ...claims })
      .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'portal-1' })
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m')
      .sign(options.key ?? this.privateKey);
  }
}

export interface LauncherWorld {
  idp: RunningIdp;
  launcher: RunningRole;
  tool: FakeTool;
  portal: Portal;
  platform: Record<string, any>;
  toolRecord: Record<string, any>;
  admin(path: string, init?: { method?: string; body?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export const CLIENT_ID = 'launcher-client';
export const CLIENT_SECRET = 'launcher-secret-value';

/** The knobs the interop, attack and fault tests turn; everything defaults to the plain world. */
export interface WorldOptions {
  databaseUrl?: string | null;
  config?: Partial<Config>;
  /** Instances that share a database must share the master secret (64 hex chars). */
  secretKey?: string;
  /** Use a launcher that runs elsewhere (a spawned process, a proxy in front of several) instead of starting one. */
  external?: { url: string; close(): Promise<void> };
  idp?: StartIdpOptions;
  /** The secret the IdP holds for the launcher's client (default: the one the launcher has). */
  idpClientSecret?: string;
  /** The redirect URIs the IdP holds for the launcher's client (default: the platform's redirect_uri). */
  idpRedirectUris?: (platform: Record<string, any>) => string[];
  /** Extra or replaced fields of the platform and the tool on creation. */
  platform?: Record<string, unknown>;
  tool?: Record<string, unknown>;
}

/** The launcher's admin API as `world.admin` calls it: answers as they came. */
export function adminClient(launcher: { url: string }, password = 'test-admin-password') {
  const api = new AdminApi(launcher.url, basicAuth('admin', password));
  return (path: string, init: AdminRequest = {}) => api.fetch(path, init);
}

/** IdP, launcher, fake tool and portal over real HTTP, with a platform and a tool set up through the admin API. */
export async function startLauncherWorld(databaseUrl: string | null, options: WorldOptions = {}): Promise<LauncherWorld> {
  const idp = await startIdp(options.idp);
  const launcher = options.external
    ? ({ url: options.external.url, close: options.external.close } as unknown as RunningRole)
    : await startRole('platform', platformRoutes, {
        databaseUrl, secretKey: options.secretKey, config: { dataDir: tempDir(), ...options.config },
      });
  const tool = new FakeTool();
  await tool.start();
  const portal = new Portal();
  await portal.init();
  const admin = adminClient(launcher);
  try {
    const created = await admin('/platforms', {
      body: {
        name: 'Springfield High', slug: 'springfield', openid_configuration_url: idp.discoveryUrl,
        client_id: CLIENT_ID, client_secret: CLIENT_SECRET,
        context_public_jwk: portal.publicJwk, role_claim: 'groups',
        role_map: { teacher: 'Instructor', student: 'Learner', ta: ['TeachingAssistant'] },
        ...options.platform,
      },
    });
    if (created.status !== 201) throw new Error(`platform create failed: ${created.status} ${await created.text()}`);
    const platform = (await created.json()) as Record<string, any>;
    await idp.addClient({
      client_id: CLIENT_ID,
      client_secret: options.idpClientSecret ?? CLIENT_SECRET,
      redirect_uris: options.idpRedirectUris?.(platform) ?? [platform.redirect_uri],
    });
    const toolRes = await admin(`/platforms/${platform.id}/tools`, {
      body: {
        name: 'Course Chat', description: 'Ask questions about the course', client_id: tool.clientId,
        open_id_connect_initiation_url: `${tool.url}/login`, target_link_uri: `${tool.url}/launch`,
        public_key_url: `${tool.url}/jwks`, custom: { level: 'intro' },
        ...options.tool,
      },
    });
    if (toolRes.status !== 201) throw new Error(`tool create failed: ${toolRes.status} ${await toolRes.text()}`);
    const toolRecord = (await toolRes.json()) as Record<string, any>;
    tool.issuer = platform.issuer;
    portal.audience = platform.issuer;
    tool.platformAuthUrl = `${platform.base_url}/auth`;
    tool.platformJwksUrl = platform.jwks_url;
    const close = async () => {
      await tool.close();
      await launcher.close();
      await idp.close();
    };
    return { idp, launcher, tool, portal, platform, toolRecord, admin, close };
  } catch (err) {
    await tool.close();
    await launcher.close();
    await idp.close();
    throw err;
  }
}

/**
 * Runs a launch like a browser: launch link → IdP login → /callback → the tool's login → /auth.
 * Stops at `until` ('tool_login': the redirect to the tool's initiation URL; 'auth': the /auth answer).
 */
export async function runLaunch(
  world: LauncherWorld,
  options: { user?: string; context?: string; browser?: Browser } = {},
) {
  const browser = options.browser ?? new Browser();
  const launchUrl = new URL(world.toolRecord.launch_url);
  if (options.context) launchUrl.searchParams.set('context', options.context);
  const first = await browser.request(launchUrl.href);
  if (first.status !== 303) return { browser, stage: 'launch' as const, response: first };
  const idpJar = new CookieJar();
  const callbackUrl = await loginThroughIdp(first.headers.get('location')!, options.user ?? 'ada', idpJar);
  const callback = await browser.request(callbackUrl.href);
  const toolLogin = await toolLoginOf(callback);
  if (!toolLogin) return { browser, stage: 'callback' as const, response: callback };
  return { browser, stage: 'tool_login' as const, response: callback, toolLogin };
}

/** Tool logins the launcher sent as an auto-submitting form (login_initiation_method "post"). */
const postedLogins = new WeakSet<URL>();

/**
 * The tool login a launcher answer sends the browser to — a 303 redirect (`get`) or an
 * auto-submitting form (`post`, the default) — as one URL with the parameters in its query, so
 * tests read them the same way either way; openToolLogin sends it as the launcher asked.
 */
export async function toolLoginOf(response: Response): Promise<URL | null> {
  if (response.status === 303) return new URL(response.headers.get('location')!);
  if (response.status !== 200 || !(response.headers.get('content-type') ?? '').startsWith('text/html')) return null;
  const html = await response.clone().text();
  if (!html.includes('name="login_hint"')) return null;
  const form = readForm(html);
  const url = new URL(form.action);
  for (const [name, value] of Object.entries(form.fields)) url.searchParams.set(name, value);
  postedLogins.add(url);
  return url;
}

/** The browser arriving at the tool's login: a form POST or a GET, as the launcher sent it. */
export function openToolLogin(toolLogin: URL): Promise<Response> {
  if (!postedLogins.has(toolLogin)) return fetch(toolLogin, { redirect: 'manual' });
  const action = new URL(toolLogin);
  const body = new URLSearchParams();
  for (const [name, value] of toolLogin.searchParams) {
    body.set(name, value);
    action.searchParams.delete(name);
  }
  return fetch(action, { method: 'POST', body, redirect: 'manual' });
}

/** Completes a launch from the tool's login redirect: tool → /auth → form post to the tool. */
export async function finishLaunch(browser: Browser, toolLogin: URL) {
  const toToolLogin = await openToolLogin(toolLogin);
  const authUrl = toToolLogin.headers.get('location')!;
  const auth = await browser.request(authUrl);
  const html = await auth.text();
  if (auth.status !== 200) return { auth, html, toolResponse: null };
  const form = readForm(html);
  const toolResponse = await fetch(form.action, { method: 'POST', body: new URLSearchParams(form.fields) });
  return { auth, html, form, toolResponse };
}

/** A launcher world of its own for a describe block, on a fresh database of the given dialect. */
export function useLauncherWorld(dialect: 'sqlite' | 'postgres', set: (world: LauncherWorld) => void): void {
  let world: LauncherWorld | undefined;
  let url: string | null = null;
  beforeAll(async () => {
    url = await freshDatabaseUrl(dialect);
    world = await startLauncherWorld(url);
    set(world);
  });
  afterAll(async () => {
    await world?.close();
    await dropDatabase(url);
  });
}
