import type { Gateway } from './gateway.ts';
import type { Registration } from './model/registrations.ts';

/**
 * The web origins a registered platform speaks from: its issuer's and its authorization endpoint's
 * (they differ for Canvas: issuer https://canvas.instructure.com, authorization at
 * https://sso.canvaslms.com), and the origins its course pages are served from when those are
 * others (`course_page_origins`: hosted Canvas shows a course at https://<school>.instructure.com).
 * The id_token form is posted from there, and the launch pages are framed from there: no other
 * site may do either. An entry may be a wildcard origin, `https://*.instructure.com`.
 */
export function platformOrigins(registration: Pick<Registration, 'issuer' | 'authorizationEndpoint' | 'coursePageOrigins'>): string[] {
  const origins = new Set<string>();
  for (const url of [registration.issuer, registration.authorizationEndpoint]) {
    const origin = originOf(url);
    if (origin !== null) origins.add(origin);
  }
  for (const origin of registration.coursePageOrigins) origins.add(origin);
  return [...origins];
}

/**
 * Cloud LMSs whose one issuer serves every school, each school's course pages on its own subdomain:
 * a new registration of theirs starts with that subdomain pattern, which the admin may narrow to
 * the school's own origin. Any other LMS serves its pages from its issuer's origin.
 */
const SHARED_ISSUERS: Array<{ issuers: string[]; coursePages: string }> = [
  { issuers: ['https://canvas.instructure.com', 'https://canvas.beta.instructure.com', 'https://canvas.test.instructure.com'], coursePages: 'https://*.instructure.com' },
  { issuers: ['https://blackboard.com'], coursePages: 'https://*.blackboard.com' },
];

export function defaultCoursePageOrigins(issuer: string): string[] {
  return SHARED_ISSUERS.filter((s) => s.issuers.includes(issuer.replace(/\/$/, ''))).map((s) => s.coursePages);
}

/** Whether `origin` (as a browser sent it) is one of `allowed`, where `https://*.example.com` matches any subdomain of example.com. */
export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) => {
    if (!entry.includes('://*.')) return entry === origin;
    const [scheme, rest] = entry.split('://*.');
    return origin.startsWith(`${scheme}://`) && origin.slice(scheme.length + 3).endsWith(`.${rest}`);
  });
}

/**
 * Every registration's platform origins, for a page shown before the request names its
 * registration (an unknown or purged state, a malformed post). Read through the settings cache,
 * which every registration write clears.
 */
export function allPlatformOrigins(gateway: Pick<Gateway, 'services' | 'registrations'>): Promise<string[]> {
  return gateway.services.cache.get('registration:platform-origins', async () => {
    const registrations = await gateway.registrations.list();
    return [...new Set(registrations.flatMap(platformOrigins))];
  });
}

/** An http(s) URL's origin; null for anything else (an opaque origin can never be matched or framed). */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : null;
  } catch {
    return null;
  }
}
