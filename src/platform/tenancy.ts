import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { notFound } from '../lti/errors.ts';
import type { PlatformTable } from '../store/schema.ts';
import type { Services } from '../server/services.ts';

/**
 * Each platform (tenant) is its own LTI issuer, reachable as `<slug>.<DOMAIN>` (the origin's
 * subdomain form) and as `<PUBLIC_URL>/p/<slug>` (path form, for localhost and one-certificate
 * setups). The canonical base URL — the one put into tokens and shown to admins — is the
 * subdomain form when DOMAIN is set, the path form otherwise.
 */
/** DOMAIN without its port: the host name every platform host ends with (null: path tenancy). */
export function domainHostOf(config: Pick<Config, 'domain'>): string | null {
  return config.domain ? config.domain.replace(/:\d+$/, '').toLowerCase() : null;
}

export function platformBaseUrl(config: Config, slug: string): string {
  const domain = domainHostOf(config);
  if (domain) {
    const scheme = new URL(config.publicUrl).protocol;
    const port = new URL(config.publicUrl).port;
    return `${scheme}//${slug}.${domain}${port ? `:${port}` : ''}`;
  }
  return `${config.publicUrl}/p/${slug}`;
}

/** The issuer of a platform: ISSUER for a single-tenant setup, its base URL otherwise. */
export function platformIssuer(config: Config, slug: string): string {
  return config.issuer ?? platformBaseUrl(config, slug);
}

/** The slug named by the request: `/p/:slug/...` or the `<slug>.<DOMAIN>` host. */
export function slugOf(request: FastifyRequest, config: Config): string | null {
  const params = request.params as { slug?: string };
  if (params.slug) return params.slug;
  const domain = domainHostOf(config);
  if (domain) {
    const host = request.hostname.toLowerCase();
    if (host.endsWith(`.${domain}`)) {
      const slug = host.slice(0, -domain.length - 1);
      if (!slug.includes('.')) return slug;
    }
  }
  return null;
}

/**
 * Finds the platform a request is for. Without a slug (root paths on the bare PUBLIC_URL host),
 * a single-tenant installation serves its only platform.
 */
/** The platform with this slug, or undefined (cached per instance: src/store/readCache.ts). */
export function findPlatformBySlug(services: Pick<Services, 'db' | 'cache'>, slug: string): Promise<PlatformTable | undefined> {
  return services.cache.get(`platform:slug:${slug}`, () => services.db.selectFrom('platforms').selectAll().where('slug', '=', slug).executeTakeFirst());
}

export async function resolvePlatform(request: FastifyRequest, services: Services): Promise<PlatformTable> {
  const { config, db, cache } = services;
  const slug = slugOf(request, config);
  if (slug) {
    const row = await findPlatformBySlug(services, slug);
    if (!row) throw notFound('platform_unknown', 'There is no platform of this name here. Check the link you followed.').saying({ platform: slug });
    return row;
  }
  const only = await cache.get('platform:only', async () => {
    const rows = await db.selectFrom('platforms').selectAll().limit(2).execute();
    return rows.length === 1 ? rows[0] : null;
  });
  if (only) return only;
  const rows = await db.selectFrom('platforms').select('id').limit(2).execute();
  throw notFound(
    'platform_unknown',
    rows.length === 0
      ? 'No platform has been set up on this launcher yet.'
      : 'This address does not name a platform: use /p/<platform>/… or the platform\'s own host name.',
  );
}
