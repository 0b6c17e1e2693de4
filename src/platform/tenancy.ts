import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { notFound } from '../lti/errors.ts';
import type { Launcher } from './launcher.ts';
import type { Platform } from './model/platforms.ts';

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
export async function resolvePlatform(request: FastifyRequest, launcher: Launcher): Promise<Platform> {
  const slug = slugOf(request, launcher.services.config);
  if (slug) {
    const platform = await launcher.platforms.findBySlug(slug);
    if (!platform) throw notFound('platform_unknown', 'There is no platform of this name here. Check the link you followed.').saying({ platform: slug });
    return platform;
  }
  const only = await launcher.platforms.theOnly();
  if (only) return only;
  throw notFound(
    'platform_unknown',
    (await launcher.platforms.any())
      ? 'This address does not name a platform: use /p/<platform>/… or the platform\'s own host name.'
      : 'No platform has been set up on this launcher yet.',
  );
}

/** A platform's token endpoint (Security Framework §4.1.1), as discovery advertises it and admins are shown it. */
export function tokenEndpointUrl(config: Config, slug: string): string {
  return `${platformBaseUrl(config, slug)}/token`;
}

/**
 * The URLs a client assertion's `aud` may name for a platform's token endpoint, each compared
 * exactly: the canonical one first, then — when DOMAIN makes the subdomain form canonical — the
 * path form `<PUBLIC_URL>/p/<slug>/token`, which the same launcher also answers at.
 */
export function tokenAudiences(config: Config, slug: string): string[] {
  const canonical = tokenEndpointUrl(config, slug);
  const pathForm = `${config.publicUrl}/p/${slug}/token`;
  return canonical === pathForm ? [canonical] : [canonical, pathForm];
}
