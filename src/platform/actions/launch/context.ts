import type { VerifiedContext } from '../../context/token.ts';
import type { IdpContext } from '../steps/checkIdpConfig.ts';

/** `GET /launch/:client_id?context=<JWT>`: a portal's link, on its way to the IdP. */
export interface LaunchContext extends IdpContext {
  /** The tool's client_id, from the path. */
  clientId: string;
  /** The `context` query parameter as sent (a JWT, absent, or repeated). */
  contextToken: unknown;
  context?: VerifiedContext;
}
