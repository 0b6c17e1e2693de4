import type { AccessToken } from '../../clients/accessTokens.ts';
import type { ServiceEndpoint } from '../../model/serviceEndpoints.ts';
import type { FlowContext } from '../pipeline.ts';

/** What the steps of an app API call (`/api/v1/contexts/<context>/…`) read and fill in. */
export interface AppApiContext extends FlowContext {
  /** The context id of the URL: the gateway's random id of service_endpoints, never the LMS's. */
  contextId: string;
  /** The line item id of the URL, for the calls below a line item. */
  itemId?: string;
  /** The query string as Fastify parsed it (a repeated name is a list). */
  query: Record<string, unknown>;
  /** The parsed JSON body, for the calls that take one. */
  body?: unknown;
  /** The context's newest LMS endpoints (find_service_context). */
  endpoint?: ServiceEndpoint;
  /** The LMS URL of the line item of the URL (find_line_item). */
  lineItemUrl?: string;
  /** The scopes the gateway asks the LMS for in this context: offered in the launch, narrowed by the registration. */
  scopes?: string[];
  /** The scope this call needs, of those (check_service_scope). */
  neededScope?: string;
  /** The LMS's access token for them, with the scopes it granted (get_access_token). */
  token?: AccessToken;
}
