import { randomUUID } from 'node:crypto';
import { isSlug } from '../input/slug.ts';
import { constantTimeEqual } from '../keys/digest.ts';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { LtiError } from '../lti/errors.ts';
import { databaseUnavailable } from '../store/db.ts';
import { hasNul } from '../lti/nulCheck.ts';
import { isDatabaseUnavailable } from '../store/db.ts';
import { ping } from '../store/migrations.ts';
import { sendError } from '../web/errorPage.ts';
import { FAVICON_SVG } from '../web/landing.ts';
import { securityHeaders } from '../web/securityHeaders.ts';
import type { Services } from './services.ts';

export interface ServerOptions {
  /** The role's routes (launcher or gateway), registered after the shared plugins. */
  routes: FastifyPluginAsync<{ services: Services }>;
  /** Paths that tools may show inside an LMS iframe (the gateway's launch pages). */
  framable?: (url: string) => boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** False while shutting down, so the load balancer stops sending new requests. */
    readiness: { value: boolean };
  }
}

/** Assembles one role's HTTP server from plugins: parsing, security headers, errors, health, metrics. */
export async function buildServer(services: Services, options: ServerOptions): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    loggerInstance: services.log,
    genReqId: () => randomUUID(),
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: config.bodyLimitKb * 1024,
    // A slow client cannot hold a connection: the whole request (headers and body) must arrive in
    // time, and an idle keep-alive connection is closed (set above the load balancer's idle timeout).
    requestTimeout: config.requestTimeoutSeconds * 1000,
    connectionTimeout: config.requestTimeoutSeconds * 1000,
    keepAliveTimeout: config.keepAliveTimeoutSeconds * 1000,
    // Oversized headers are refused by Node itself with 431. The request timeout is given to Node
    // when the server is made (Node 20 ignores a later change), and checked each second instead
    // of every 30 s, so a dribbling client is answered 408 close to the bound.
    http: { maxHeaderSize: 16 * 1024, connectionsCheckingInterval: 1000, requestTimeout: config.requestTimeoutSeconds * 1000 } as any,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 512 },
  });
  app.decorate('readiness', { value: true });

  await app.register(formbody, { bodyLimit: config.bodyLimitKb * 1024 });
  await app.register(cookie);
  await app.register(securityHeaders, { forceSsl: config.forceSsl, framable: options.framable });

  if (config.forceSsl) {
    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0];
      if (request.protocol === 'http' && !['/healthz', '/readyz', '/metrics'].includes(path)) {
        return reply.redirect(`${httpsOriginFor(request.hostname, config)}${request.url}`, 301);
      }
    });
  }

  // A NUL character is never valid in an LTI parameter, and Postgres refuses it in text columns:
  // refuse it up front, for every route, rather than let it reach a query.
  app.addHook('preHandler', async (request) => {
    if (request.url.includes('%00') || hasNul(request.params) || hasNul(request.query) || hasNul(request.body)) {
      throw new LtiError('request_invalid', 400, 'The request contains a NUL character, which no valid request does.');
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    return payload;
  });

  app.setErrorHandler((err, request, reply) => {
    const error = ltiErrorOf(err, request);
    if (error.code === 'database_unavailable') reply.header('retry-after', '2');
    return sendError(request, reply, error, error.context);
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new LtiError('not_found', 404, 'There is nothing at this address.')),
  );

  // Browsers ask for /favicon.ico on every page; an SVG under both names (pages link the .svg).
  for (const path of ['/favicon.ico', '/favicon.svg']) {
    app.get(path, async (_request, reply) => reply.header('cache-control', 'public, max-age=86400').type('image/svg+xml').send(FAVICON_SVG));
  }
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (!app.readiness.value) return reply.code(503).send({ status: 'shutting_down' });
    try {
      await ping(services.db);
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'database_unavailable' });
    }
  });
  app.get('/metrics', async (request, reply) => {
    if (config.metricsToken !== null && !bearerMatches(request.headers.authorization, config.metricsToken)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new LtiError('metrics_unauthorized', 401, 'The metrics need the token set in METRICS_TOKEN, as Authorization: Bearer <token>.');
    }
    reply.type(services.metrics.registry.contentType);
    return services.metrics.registry.metrics();
  });

  await app.register(options.routes, { services });
  return app as unknown as FastifyInstance;
}

/**
 * What an error that reached the server's error handler is answered as: an LtiError as it is; a
 * request the framework refused (a schema, an oversized or unparsable body) as request_invalid or
 * request_too_large with the framework's 4xx; a lost database as a 503; anything else a logged 500.
 * Exported for an endpoint that answers in a format of its own (the token endpoint's OAuth JSON).
 */
export function ltiErrorOf(err: unknown, request: Pick<FastifyRequest, 'log'>): LtiError {
  if (err instanceof LtiError) return err;
  const e = err as { statusCode?: number; code?: string; validation?: unknown; message: string };
  if (e.validation) return new LtiError('request_invalid', 400, `The request is not valid: ${e.message}.`);
  if (e.statusCode === 413 || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new LtiError('request_too_large', 413, 'The request is larger than this service accepts.');
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return new LtiError('request_invalid', e.statusCode, 'The request could not be understood.');
  }
  if (isDatabaseUnavailable(err)) {
    request.log.error({ err }, 'database unavailable');
    return databaseUnavailable();
  }
  request.log.error({ err }, 'unhandled error');
  return new LtiError('internal_error', 500, 'Something went wrong on our side. The error has been logged.');
}

/**
 * A hop count becomes "trust the nearest N peers": Fastify 5 itself trusts no proxy at all for a
 * number, so the count would otherwise be ignored.
 */
function trustProxyOption(setting: Config['trustProxy']): string | false | ((address: string, hop: number) => boolean) {
  if (typeof setting !== 'number') return setting;
  return (_address, hop) => hop < setting;
}

/**
 * Where FORCE_SSL sends a plain-HTTP request: PUBLIC_URL's origin, or `<slug>.<DOMAIN>` when the
 * request came to a tenant's subdomain. Never the Host header as given, which a client writes.
 */
export function httpsOriginFor(hostname: string, config: Pick<Config, 'publicUrl' | 'domain'>): string {
  const base = new URL(config.publicUrl);
  const domain = config.domain?.replace(/:\d+$/, '');
  const host = hostname.toLowerCase().replace(/:\d+$/, '');
  if (domain && host.endsWith(`.${domain}`) && isSlug(host.slice(0, -domain.length - 1))) {
    return `https://${host}${base.port && base.protocol === 'https:' ? `:${base.port}` : ''}`;
  }
  return `https://${base.host}`;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  return constantTimeEqual(/^bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '', token);
}
