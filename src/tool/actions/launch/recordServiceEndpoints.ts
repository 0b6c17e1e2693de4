import { CLAIM } from '../../../lti/claims.ts';
import { readServiceClaims } from '../../../lti/services/serviceClaims.ts';
import { checkUrlShape, urlPolicyOf } from '../../../net/urlPolicy.ts';
import type { LaunchServices } from '../../launchSummary.ts';
import { contextLineItemUrl, contextLineItemsUrl, contextMembersUrl } from '../../serviceUrls.ts';
import type { Step } from '../pipeline.ts';
import type { LaunchContext } from './context.ts';

/**
 * The launch's AGS and NRPS endpoints are remembered for its course context (the newest launch
 * wins: an LMS may move them), so the app can call them later through the gateway, and the
 * hand-off names the gateway's URLs for them. A claim of the wrong type is the LMS's bug and is
 * refused (`service_claim_invalid`, as other malformed claims are). A well-formed claim whose URL
 * the gateway may not call — plain http to a host that is not loopback, credentials in it — is the
 * LMS's setting, not the person's fault: the launch goes on without that service, with a warning
 * in the launch log and a log line that names the URL.
 */
export const recordServiceEndpoints: Step<LaunchContext> = {
  name: 'record_service_endpoints',
  spec: 'AGS 2.0 §3.2.1; NRPS 2.0 §3.6',
  codes: ['service_claim_invalid'],
  async run(ctx) {
    const payload = ctx.payload!;
    const claims = readServiceClaims(payload);
    if (!claims.ags && !claims.nrps) return;
    const { config, log } = ctx.gateway.services;
    const policy = urlPolicyOf(config);
    const refusals: string[] = [];
    const callable = (url: string | null): string | null => {
      if (url === null) return null;
      try {
        checkUrlShape(url, policy);
        return url;
      } catch (err) {
        refusals.push((err as Error).message);
        return null;
      }
    };
    let ags = claims.ags && { ...claims.ags, lineItemsUrl: callable(claims.ags.lineItemsUrl), lineItemUrl: callable(claims.ags.lineItemUrl) };
    if (ags && ags.lineItemsUrl === null && ags.lineItemUrl === null) ags = null;
    const nrps = claims.nrps && callable(claims.nrps.membersUrl) !== null ? claims.nrps : null;
    if (refusals.length > 0) {
      ctx.warning = 'service_url_refused';
      log.warn({ registration: ctx.registration!.id, refusals }, 'LMS service URL refused; the launch goes on without that service');
    }
    // check_resource_link_claims made sure the context, when present, has a string id.
    const contextId = (payload[CLAIM.context] as { id?: string } | undefined)?.id;
    if (!ags && !nrps) return;
    if (!contextId) {
      // NRPS and AGS are services of a course context (NRPS 2.0 §3, AGS 2.0 §3.1): without one there is nothing to remember them under.
      log.warn({ registration: ctx.registration!.id }, 'LMS services offered in a launch without a course context; left out');
      return;
    }
    const { endpointId, lineItemId } = await ctx.gateway.serviceEndpoints.record({
      registrationId: ctx.registration!.id,
      appId: ctx.app!.id,
      deploymentId: payload[CLAIM.deploymentId] as string,
      contextId,
      resourceLinkId: (payload[CLAIM.resourceLink] as { id: string }).id,
      ags,
      nrps,
    });
    const services: LaunchServices = {};
    if (ags) {
      services.ags = { scopes: ags.scopes };
      if (ags.lineItemsUrl !== null) services.ags.line_items_url = contextLineItemsUrl(config.publicUrl, endpointId);
      if (lineItemId !== null) services.ags.line_item_url = contextLineItemUrl(config.publicUrl, endpointId, lineItemId);
    }
    if (nrps) services.nrps = { members_url: contextMembersUrl(config.publicUrl, endpointId) };
    ctx.services = services;
  },
};
