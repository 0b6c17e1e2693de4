import { CLAIM, type ContextClaim, type ContextClaims } from '../../../lti/claims.ts';
import { resourceLinkOf } from '../../../lti/resourceLinkMessage.ts';
import type { AgsEndpointClaim } from '../../../lti/services/ags.ts';
import type { Launcher } from '../../launcher.ts';
import type { Platform } from '../../model/platforms.ts';
import type { Tool } from '../../model/tools.ts';
import { lineItemUrl, lineItemsUrl } from '../ags/urls.ts';

/**
 * The AGS endpoint claim of a launch (AGS 2.0 §3.2.1) — the tool's granted scopes, the context's
 * line item container, and `lineitem` when exactly one of the tool's items is bound to the launch's
 * resource link — or undefined for a tool without AGS scopes or a launch without a context (no
 * query then). The launch's resource link is recorded (once per instance; resource_links): it is
 * what makes the link one the tool's line items may name.
 */
export async function agsEndpointClaim(
  launcher: Launcher,
  launch: { platform: Platform; tool: Tool; contextClaims: ContextClaims },
): Promise<AgsEndpointClaim | undefined> {
  const { platform, tool, contextClaims } = launch;
  const context = contextClaims[CLAIM.context] as ContextClaim | undefined;
  if (!context || tool.agsScopes.length === 0) return undefined;
  const { config } = launcher.services;
  const where = { platformId: platform.id, contextId: context.id, toolId: tool.id };
  const resourceLinkId = resourceLinkOf(tool, contextClaims).id;
  const [ids] = await Promise.all([
    launcher.lineItems.idsForLink(where, resourceLinkId),
    launcher.resourceLinks.recordOnce({ ...where, resourceLinkId }),
  ]);
  const claim: AgsEndpointClaim = { scope: [...tool.agsScopes], lineitems: lineItemsUrl(config, platform, context.id) };
  if (ids.length === 1) claim.lineitem = lineItemUrl(config, platform, context.id, ids[0]!);
  return claim;
}
