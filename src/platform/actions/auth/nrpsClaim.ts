import type { Config } from '../../../config.ts';
import { CLAIM, type ContextClaim, type ContextClaims } from '../../../lti/claims.ts';
import { namesRoleServiceClaim, type NamesRoleServiceClaim } from '../../../lti/services/memberships.ts';
import type { Platform } from '../../model/platforms.ts';
import type { Tool } from '../../model/tools.ts';
import { contextMembershipsUrl } from '../memberships/url.ts';

/**
 * The Names and Role Provisioning claim of a launch (NRPS 2.0 §3.6.1): the context's memberships
 * URL, for a tool that may read memberships, in a launch that has a context. No query: the URL is
 * the context's.
 */
export function nrpsClaim(config: Config, platform: Pick<Platform, 'slug'>, tool: Pick<Tool, 'nrps'>, contextClaims: ContextClaims): NamesRoleServiceClaim | undefined {
  const context = contextClaims[CLAIM.context] as ContextClaim | undefined;
  if (!tool.nrps || !context) return undefined;
  return namesRoleServiceClaim(contextMembershipsUrl(config, platform.slug, context.id));
}
