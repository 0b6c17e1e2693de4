/**
 * A small but real OpenID Connect provider (panva/oidc-provider) for the demo and the integration
 * tests: authorization code + PKCE (S256) only, client_secret_basic, RS256 id_tokens carrying the
 * profile, email and `groups` claims, a plain "pick a demo user" login page and automatic consent.
 * Plain http on loopback; everything is kept in memory and lost on close. Options make variants
 * for interoperability tests: ES256 id_tokens, a restricted list of client authentication
 * methods, pairwise `sub`, no `name` claim.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Account, type ErrorOut, type InteractionDetails, type ProviderContext } from 'oidc-provider';
import { MemoryStore } from './adapter.ts';

export interface DemoUser {
  id: string;
  /** Without a password the user signs in by picking their name (demo sign-in). */
  password?: string;
  name: string;
  given_name: string;
  family_name: string;
  email: string;
  picture?: string;
  locale?: string;
  /** e.g. ['teacher'] or ['student']; released as the `groups` claim. */
  groups: string[];
}

export interface IdpClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  /** Where "sign out" may send the browser back to (OpenID RP-Initiated Logout), e.g. the demo portal. */
  post_logout_redirect_uris?: string[];
}

export interface StartIdpOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Interface to listen on, default 127.0.0.1. */
  host?: string;
  /** Public issuer identifier; defaults to the listening URL (`http://host:port`). May carry a path. */
  issuer?: string;
  users?: DemoUser[];
  clients?: IdpClient[];
  // Variants for interoperability tests; the defaults are the demo's.
  /** The only algorithm id_tokens are signed with (and that discovery announces). Default: RS256 (discovery lists oidc-provider's algorithms). */
  idTokenSigningAlg?: 'RS256' | 'ES256';
  /** Token endpoint client authentication methods the IdP accepts. Default: oidc-provider's list. */
  tokenEndpointAuthMethods?: Array<'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt' | 'private_key_jwt' | 'none'>;
  /** 'pairwise': each client sees its own opaque `sub` per user instead of the user id. Default 'public'. */
  subjectType?: 'public' | 'pairwise';
  /** false: the `name` claim is never released (given_name/family_name still are). Default true. */
  releaseName?: boolean;
}

export interface RunningIdp {
  issuer: string;
  /** Where the server really listens, e.g. http://127.0.0.1:9390. */
  url: string;
  discoveryUrl: string;
  users: DemoUser[];
  /** The `sub` a client sees for a user (differs from the user id with subjectType 'pairwise'). */
  subjectFor(userId: string, clientId: string): string;
  /** The end-session endpoint: asks "sign out?", ends this browser's IdP session (so the next sign-in shows the user list). */
  endSessionUrl: string;
  /** A link that signs the user out and then returns to `returnTo` (one of the client's post_logout_redirect_uris). */
  signOutUrl(clientId: string, returnTo: string): string;
  /** Registers (or replaces) a client; it can be used immediately. Rejects on invalid metadata. */
  addClient(client: IdpClient): Promise<void>;
  close(): Promise<void>;
}

export const DEMO_USERS: DemoUser[] = [
  {
    id: 'ada',
    name: 'Ada Lovelace',
    given_name: 'Ada',
    family_name: 'Lovelace',
    email: 'ada.lovelace@school.example',
    locale: 'en-GB',
    groups: ['teacher'],
  },
  {
    id: 'alan',
    name: 'Alan Turing',
    given_name: 'Alan',
    family_name: 'Turing',
    email: 'alan.turing@school.example',
    locale: 'en-GB',
    groups: ['student'],
  },
  {
    id: 'grace',
    name: 'Grace Hopper',
    given_name: 'Grace',
    family_name: 'Hopper',
    email: 'grace.hopper@school.example',
    locale: 'en-US',
    groups: ['ta'],
  },
];

/** oidc-provider's end-session route (RP-Initiated Logout), under the issuer's path. */
const END_SESSION_PATH = '/session/end';

/** Every grant gets these scopes, so consent never needs a page. */
const GRANTED_SCOPES = 'openid profile email groups';
const PROFILE_CLAIMS = ['name', 'given_name', 'family_name', 'picture', 'locale', 'groups'];

export async function startIdp(options: StartIdpOptions = {}): Promise<RunningIdp> {
  const host = options.host ?? '127.0.0.1';
  const users = options.users ?? DEMO_USERS;
  const store = new MemoryStore();

  // Listen first: without an explicit issuer it is only known once the port is.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const close = () =>
    new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    });

  try {
    const issuer = (options.issuer ?? url).replace(/\/+$/, '');
    const basePath = new URL(issuer).pathname.replace(/\/+$/, '');
    const variant = variantOf(options);
    const provider = await createProvider(issuer, basePath, store, users, variant);
    const providerHandler = provider.callback();

    handle = (req, res) => {
      const original = req.url ?? '/';
      const path = original.slice(basePath.length) || '/';
      if (!original.startsWith(basePath) || !/^[/?]/.test(path)) {
        send(res, 404, page('Not found', '<p>Nothing here.</p>'));
        return;
      }
      if (/^\/(?:\?.*)?$/.test(path) && (req.method === 'GET' || req.method === 'HEAD')) {
        send(res, 200, homePage(basePath));
        return;
      }
      const interaction = /^\/interaction\/([\w-]+)(\/login)?\/?(?:\?.*)?$/.exec(path);
      if (interaction) {
        handleInteraction(provider, users, basePath, req, res, interaction[1], interaction[2] ? 'login' : 'page').catch((err: unknown) => {
          console.error('demo IdP interaction failed', err);
          if (!res.headersSent) send(res, 500, page('Sign-in failed', '<p>Unexpected error in the demo identity provider.</p>'));
        });
        return;
      }
      if (basePath) {
        // oidc-provider derives its mount path from originalUrl vs url (as under express/connect).
        Object.assign(req, { originalUrl: original });
        req.url = path;
      }
      void providerHandler(req, res);
    };

    const addClient = async (client: IdpClient): Promise<void> => {
      store.putClient({
        client_id: client.client_id,
        client_secret: client.client_secret,
        redirect_uris: [...client.redirect_uris],
        ...(client.post_logout_redirect_uris && { post_logout_redirect_uris: [...client.post_logout_redirect_uris] }),
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: variant.idTokenSigningAlg,
        subject_type: variant.subjectType,
      });
      try {
        await provider.Client.find(client.client_id); // validates the metadata now, not at first use
      } catch (err) {
        store.deleteClient(client.client_id);
        const detail = (err as { error_description?: string }).error_description ?? (err as Error).message;
        throw new Error(`invalid IdP client ${client.client_id}: ${detail}`);
      }
    };
    for (const client of options.clients ?? []) await addClient(client);

    return {
      issuer,
      url,
      discoveryUrl: `${issuer}/.well-known/openid-configuration`,
      endSessionUrl: `${issuer}${END_SESSION_PATH}`,
      signOutUrl: (clientId, returnTo) =>
        `${issuer}${END_SESSION_PATH}?${new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: returnTo })}`,
      users,
      subjectFor: (userId, clientId) => (variant.subjectType === 'pairwise' ? variant.pairwise(userId, clientId) : userId),
      addClient,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

interface Variant {
  idTokenSigningAlg: 'RS256' | 'ES256';
  restrictAlgs: boolean;
  tokenEndpointAuthMethods?: string[];
  subjectType: 'public' | 'pairwise';
  releaseName: boolean;
  /** The pairwise `sub` of a user for a client (a salted hash, stable for this IdP's lifetime). */
  pairwise(userId: string, clientId: string): string;
}

function variantOf(options: StartIdpOptions): Variant {
  const salt = randomBytes(16);
  return {
    idTokenSigningAlg: options.idTokenSigningAlg ?? 'RS256',
    restrictAlgs: options.idTokenSigningAlg !== undefined,
    tokenEndpointAuthMethods: options.tokenEndpointAuthMethods,
    subjectType: options.subjectType ?? 'public',
    releaseName: options.releaseName ?? true,
    pairwise: (userId, clientId) => createHash('sha256').update(salt).update(`${clientId}\u0000${userId}`).digest('base64url'),
  };
}

async function createProvider(issuer: string, basePath: string, store: MemoryStore, users: DemoUser[], variant: Variant): Promise<Provider> {
  const alg = variant.idTokenSigningAlg;
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg, use: 'sig' };
  const profileClaims = variant.releaseName ? PROFILE_CLAIMS : PROFILE_CLAIMS.filter((c) => c !== 'name');

  return new Provider(issuer, {
    adapter: store.adapterFor,
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    async findAccount(_ctx: unknown, sub: string): Promise<Account | undefined> {
      const user = users.find((u) => u.id === sub);
      if (!user) return undefined;
      return {
        accountId: user.id,
        claims: async () => {
          const claims = userClaims(user);
          if (!variant.releaseName) delete claims.name;
          return claims;
        },
      };
    },
    // `groups` comes with `profile` (what the launcher asks for) and also under its own scope.
    claims: {
      openid: ['sub'],
      profile: profileClaims,
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    scopes: ['openid'], // plus every key of `claims`; no offline_access / refresh tokens
    // Put the scope-released claims in the id_token too: the launcher reads them from there.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true }, // only S256 exists in v9
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: alg,
      subject_type: variant.subjectType,
    },
    // A variant announces (and accepts) only its algorithm; the demo keeps oidc-provider's list.
    ...(variant.restrictAlgs && { enabledJWA: { idTokenSigningAlgValues: [alg] } }),
    subjectTypes: [variant.subjectType],
    async pairwiseIdentifier(_ctx: unknown, accountId: string, client: { clientId: string }) {
      return variant.pairwise(accountId, client.clientId);
    },
    ...(variant.tokenEndpointAuthMethods && { clientAuthMethods: variant.tokenEndpointAuthMethods }),
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx: ProviderContext, form: string) {
          ctx.type = 'html';
          const name = users.find((u) => u.id === ctx.oidc.session?.accountId)?.name;
          ctx.body = page(
            'Sign out',
            `${form}<p>${name ? `You are signed in as <strong>${esc(name)}</strong>. ` : ''}Sign out of the demo school? The next application you open asks who you are, so you can sign in as someone else.</p>
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`,
          );
        },
        async postLogoutSuccessSource(ctx: ProviderContext) {
          ctx.type = 'html';
          ctx.body = page('Signed out', '<p>You are signed out of the demo school. The next application you open asks who you are.</p>');
        },
      },
    },
    interactions: {
      url: async (_ctx: unknown, interaction: { uid: string }) => `${basePath}/interaction/${interaction.uid}`,
    },
    async renderError(ctx: ProviderContext, out: ErrorOut) {
      ctx.type = 'html';
      ctx.body = page(
        'Sign-in error',
        `<p role="alert"><strong>${esc(out.error)}</strong>${out.error_description ? `: ${esc(out.error_description)}` : ''}</p>`,
      );
    },
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
  });
}

function userClaims(user: DemoUser): Record<string, unknown> {
  return {
    sub: user.id,
    name: user.name,
    given_name: user.given_name,
    family_name: user.family_name,
    email: user.email,
    email_verified: true,
    ...(user.picture !== undefined && { picture: user.picture }),
    ...(user.locale !== undefined && { locale: user.locale }),
    groups: [...user.groups],
  };
}

/** GET /interaction/:uid shows the login page; POST /interaction/:uid/login signs the picked user in. */
async function handleInteraction(
  provider: Provider,
  users: DemoUser[],
  basePath: string,
  req: IncomingMessage,
  res: ServerResponse,
  uid: string,
  action: 'page' | 'login',
): Promise<void> {
  let details: InteractionDetails;
  try {
    details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction uid mismatch');
  } catch {
    send(res, 400, page('Sign-in expired', '<p role="alert">This sign-in request is unknown or has expired (or the browser sent no IdP cookie). Start again from the application.</p>'));
    return;
  }

  const session = details.session;
  if (details.prompt.name === 'consent' && session) {
    await finish(provider, req, res, details, session.accountId, false);
    return;
  }
  if (action === 'page') {
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET');
    send(res, 200, loginPage(basePath, details, users));
    return;
  }
  if (req.method !== 'POST') return methodNotAllowed(res, 'POST');

  const form = await readForm(req);
  const user = users.find((u) => u.id === form.get('user'));
  if (!user || (user.password !== undefined && !sameSecret(form.get('password') ?? '', user.password))) {
    send(res, 401, loginPage(basePath, details, users, 'Sign-in failed: unknown user or wrong password.'));
    return;
  }
  await finish(provider, req, res, details, user.id, true);
}

/** Grants the standard scopes (plus whatever the prompt says is missing) and resumes the authorization. */
async function finish(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  details: InteractionDetails,
  accountId: string,
  login: boolean,
): Promise<void> {
  const clientId = String(details.params.client_id);
  const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  const grant = existing && existing.accountId === accountId && existing.clientId === clientId ? existing : new provider.Grant({ accountId, clientId });
  grant.addOIDCScope(GRANTED_SCOPES);
  const { missingOIDCClaims, missingResourceScopes } = details.prompt.details as {
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { ...(login && { login: { accountId } }), consent: { grantId } }, { mergeWithLastSubmission: true });
}

/**
 * The IdP's own page: what it is, and the sign-out control. While the IdP session lasts, every
 * application signs the same user in without a form; signing out here is how to switch users.
 */
function homePage(basePath: string): string {
  return page(
    'Demo school sign-in service',
    `<p class="note"><strong>Demo identity provider</strong> for the LTI Launcher demo and tests. Applications send you here to sign in.</p>
<p>Once you have signed in, every application signs you in as the same person without asking again. To sign in as someone else, sign out first.</p>
<p><a href="${esc(`${basePath}${END_SESSION_PATH}`)}">Sign out / switch user</a></p>`,
  );
}

function loginPage(basePath: string, details: InteractionDetails, users: DemoUser[], error?: string): string {
  const action = `${basePath}/interaction/${encodeURIComponent(details.uid)}/login`;
  const items = users
    .map((u) => {
      const password = u.password !== undefined;
      return `<li><form method="post" action="${esc(action)}" autocomplete="off">
<input type="hidden" name="user" value="${esc(u.id)}">
${password ? `<label>Password for ${esc(u.name)} <input type="password" name="password" required></label>` : ''}
<button type="submit">Sign in as ${esc(u.name)}</button>
<small>${esc(u.groups.join(', '))} · ${esc(u.email)} · ${password ? 'password required' : 'demo sign-in, no password'}</small>
</form></li>`;
    })
    .join('\n');
  return page(
    'Demo school sign-in',
    `${error ? `<p role="alert" class="error">${esc(error)}</p>` : ''}
<p class="note"><strong>Demo sign-in, no password:</strong> this identity provider is for demos and tests only. Pick a user.</p>
<p>Signing in to <code>${esc(String(details.params.client_id))}</code>.</p>
<ul>${items}</ul>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}ul{list-style:none;padding:0}li{margin:.75rem 0}
button{font-size:1rem;padding:.4rem .8rem}small{display:block;color:#555}.note{background:#fff7d6;padding:.5rem}.error{color:#a00}</style>
</head><body><main><h1>${esc(title)}</h1>
${body}
</main></body></html>`;
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  });
  res.end(html);
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  send(res, 405, page('Method not allowed', ''));
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 16 * 1024) throw new Error('login form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
