import { forbidden } from '../../../lti/errors.ts';
import { AGS_SCOPES, NRPS_SCOPE } from '../../../lti/services/scopes.ts';
import { scopesToAsk } from '../../clients/accessTokens.ts';
import type { ServiceEndpoint } from '../../model/serviceEndpoints.ts';
import type { Step } from '../pipeline.ts';
import type { AppApiContext } from './context.ts';

/** What an app API call needs of the LMS: an endpoint the launch carried and a scope the LMS offered. */
export interface ServiceNeed {
  /** The call, in the refusal's words ("read the roster"). */
  what: string;
  /** A launch in this context carried the endpoint the call starts from. */
  carried(endpoint: ServiceEndpoint): boolean;
  /** The scope the call needs, of those the gateway may ask for; null when none of them will do. */
  scope(allowed: readonly string[]): string | null;
}

const needs = (scope: string) => (allowed: readonly string[]) => (allowed.includes(scope) ? scope : null);

/** Reading line items: `lineitem.readonly`, or `lineitem`, which covers reading (AGS 2.0 §3.1, as Canvas reads it). */
const readLineItems = (allowed: readonly string[]) =>
  allowed.includes(AGS_SCOPES.lineItemReadOnly) ? AGS_SCOPES.lineItemReadOnly : allowed.includes(AGS_SCOPES.lineItem) ? AGS_SCOPES.lineItem : null;

const below = () => true;

export const NEEDS = {
  members: { what: 'read the roster', carried: (e) => e.membersUrl !== null, scope: needs(NRPS_SCOPE) },
  listLineItems: { what: 'list the line items', carried: (e) => e.lineItemsUrl !== null, scope: readLineItems },
  createLineItem: { what: 'create a line item', carried: (e) => e.lineItemsUrl !== null, scope: needs(AGS_SCOPES.lineItem) },
  // Below a line item: its URL is the line item's own (find_line_item), known only once AGS was carried.
  readLineItem: { what: 'read a line item', carried: below, scope: readLineItems },
  changeLineItem: { what: 'change or delete a line item', carried: below, scope: needs(AGS_SCOPES.lineItem) },
  postScore: { what: 'send a score', carried: below, scope: needs(AGS_SCOPES.score) },
  listResults: { what: 'read the results', carried: below, scope: needs(AGS_SCOPES.resultReadOnly) },
} satisfies Record<string, ServiceNeed>;

/**
 * The LMS offered the service in this context (a launch carried its claim and the scope) and the
 * registration lets the gateway ask for it (`service_scopes`): else 403, with no call to the LMS.
 */
export function checkServiceScope(need: ServiceNeed): Step<AppApiContext> {
  return {
    name: 'check_service_scope',
    spec: 'AGS 2.0 §3.1; NRPS 2.0 §2.1',
    codes: ['service_scope_not_granted'],
    run(ctx) {
      const endpoint = ctx.endpoint!;
      const offered = endpoint.membersUrl === null ? endpoint.agsScopes : [...endpoint.agsScopes, NRPS_SCOPE];
      const allowed = scopesToAsk(ctx.registration!, offered);
      const scope = need.carried(endpoint) ? need.scope(allowed) : null;
      if (scope === null) {
        throw forbidden('service_scope_not_granted', `The course platform does not offer this app the right to ${need.what} in this course context.`);
      }
      ctx.scopes = allowed;
      ctx.neededScope = scope;
    },
  };
}
