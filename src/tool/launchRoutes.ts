import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SLUG_PATTERN } from '../input/slug.ts';
import { handleLaunch } from './actions/launch/index.ts';
import { handleLogin } from './actions/login/index.ts';
import { handleRedeem } from './actions/redeem/index.ts';
import type { Gateway } from './gateway.ts';
import { landing } from './landing.ts';
import { allPlatformOrigins } from './platformOrigins.ts';
import { PLATFORM_STORAGE_SCRIPT, PLATFORM_STORAGE_SCRIPT_PATH } from './platformStoragePages.ts';

const slugParams = {
  type: 'object',
  required: ['slug'],
  properties: { slug: { type: 'string', pattern: SLUG_PATTERN } },
} as const;

/** The launch pages live inside the LMS's iframe; everything else (admin, API) stays unframable. */
export function toolFramable(url: string): boolean {
  return url.startsWith('/lti/');
}

/** The LTI endpoints of the gateway (login initiation, launch), the hand-off redemption API and the JWKS. */
export async function launchRoutes(app: FastifyInstance, gateway: Gateway): Promise<void> {
  const { services } = gateway;

  // A refusal before the request names its registration (a purged state, a malformed post, the
  // platform's own error answer) is still shown inside the LMS's frame: any registered platform
  // may frame it, no other site. Such pages have nothing to click.
  app.addHook('onError', async (request, reply) => {
    if (reply.frameAncestors !== null || !toolFramable(request.url)) return;
    try {
      reply.frameAncestors = await allPlatformOrigins(gateway);
    } catch {
      // The database is gone: the page (503) is framed by no one.
    }
  });

  app.get('/', (_request, reply) => landing(services, reply));

  app.get('/.well-known/jwks.json', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return services.keys.jwks();
  });

  app.get(PLATFORM_STORAGE_SCRIPT_PATH, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=3600').type('text/javascript; charset=utf-8');
    return PLATFORM_STORAGE_SCRIPT;
  });

  const login = async (request: FastifyRequest, reply: FastifyReply, params: unknown) => {
    return handleLogin({ gateway, request, reply, params: (params ?? {}) as Record<string, unknown> });
  };
  app.get('/lti/login', (request, reply) => login(request, reply, request.query));
  app.post('/lti/login', (request, reply) => login(request, reply, request.body));

  const launch = async (request: FastifyRequest, reply: FastifyReply, slug: string | null) =>
    handleLaunch({ gateway, request, reply, slug, body: (request.body ?? {}) as Record<string, unknown> });
  app.post('/lti/launch', (request, reply) => launch(request, reply, null));
  app.post<{ Params: { slug: string } }>('/lti/launch/:slug', { schema: { params: slugParams } }, (request, reply) =>
    launch(request, reply, request.params.slug),
  );

  app.get<{ Params: { code: string } }>(
    '/api/v1/launches/:code',
    { schema: { params: { type: 'object', required: ['code'], properties: { code: { type: 'string', minLength: 1, maxLength: 128 } } } } },
    (request, reply) => handleRedeem({ gateway, request, reply, code: request.params.code }),
  );
}
