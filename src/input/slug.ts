/**
 * A slug names a platform (its path `/p/<slug>` and host `<slug>.$DOMAIN`) or an app behind the
 * gateway (`/lti/launch/<slug>`): one DNS label of lower-case letters, digits and inner dashes,
 * at most 63 characters (RFC 1035 2.3.4), so every slug is also a valid host name part.
 */
export const SLUG_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$';

export const SLUG = new RegExp(SLUG_PATTERN);

export function isSlug(value: string): boolean {
  return SLUG.test(value);
}
