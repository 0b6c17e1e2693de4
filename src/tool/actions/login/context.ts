import type { LoginRequest } from '../../../lti/loginInitiation.ts';
import type { NewLoginState } from '../../model/loginStates.ts';
import type { FlowContext } from '../pipeline.ts';

/** What the steps of `GET`/`POST /lti/login` read and fill in. */
export interface LoginContext extends FlowContext {
  /** The query (GET) or form body (POST), as received. */
  params: Record<string, unknown>;
  login?: LoginRequest;
  created?: NewLoginState;
}
