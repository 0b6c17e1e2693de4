import type { Config } from '../../../config.ts';
import { platformBaseUrl } from '../../tenancy.ts';

/** A context's `context_memberships_url` (NRPS 2.0), on the platform's canonical base URL. */
export function contextMembershipsUrl(config: Config, slug: string, contextId: string): string {
  return `${platformBaseUrl(config, slug)}/api/lti/contexts/${encodeURIComponent(contextId)}/memberships`;
}
