import type { JWTPayload, ProtectedHeaderParameters } from 'jose';
import type { AssertionExpectations } from '../../../lti/services/clientAssertion.ts';
import type { TokenRequest } from '../../../lti/services/tokenRequest.ts';
import type { LauncherContext } from '../context.ts';

/** What the steps of `POST /token` read and fill in, in the order they do. */
export interface TokenContext extends LauncherContext {
  /** The request body as received: text of any content type (read_token_request checks it). */
  body: unknown;
  tokenRequest?: TokenRequest;
  /** The client assertion (a compact JWS), once its type is checked. */
  assertion?: string;
  /** The assertion's header and claims as sent: not trusted until verify_signature. */
  header?: ProtectedHeaderParameters;
  claims?: JWTPayload;
  /** What the assertion is checked against, once the tool is known. */
  expected?: AssertionExpectations;
  jti?: string;
  /** The scopes granted (grant_scopes). */
  granted?: string[];
}
