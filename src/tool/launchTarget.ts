import { isSlug } from '../input/slug.ts';

/**
 * Which of the gateway's launch URLs a target_link_uri names: `{slug}` for `<public>/lti/launch/<slug>`,
 * `{slug: null}` for the routing URL `<public>/lti/launch`, or null when it is not one of ours.
 * Exact prefix comparison, no query or fragment: nothing else may be a redirect target.
 */
export function gatewayLaunchTarget(publicUrl: string, targetLinkUri: string): { slug: string | null } | null {
  const base = `${publicUrl}/lti/launch`;
  if (targetLinkUri === base || targetLinkUri === `${base}/`) return { slug: null };
  if (!targetLinkUri.startsWith(`${base}/`)) return null;
  const slug = targetLinkUri.slice(base.length + 1).replace(/\/$/, '');
  return isSlug(slug) ? { slug } : null;
}
