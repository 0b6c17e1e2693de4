import type { UserClaims } from '../../../lti/claims.ts';
import type { PendingLaunch } from '../../model/pendingLaunches.ts';
import type { IdpContext } from '../steps/checkIdpConfig.ts';

/** `GET /callback`: the IdP's answer, back in the browser that started the launch. */
export interface CallbackContext extends IdpContext {
  query: Record<string, unknown>;
  /** The state the IdP sent back (checked by state_checked). */
  state?: string;
  pending?: PendingLaunch & { codeVerifier: string };
  /** The claims of the IdP's verified id_token. */
  claims?: Record<string, unknown> & { sub: string };
  user?: UserClaims;
}
