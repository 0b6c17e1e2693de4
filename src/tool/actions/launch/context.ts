import type { JWTPayload, ProtectedHeaderParameters } from 'jose';
import type { LoginStateTable } from '../../../store/schema.ts';
import type { LaunchServices } from '../../launchSummary.ts';
import type { FlowContext } from '../pipeline.ts';

/** What the steps of `POST /lti/launch[/<slug>]` read and fill in. */
export interface LaunchContext extends FlowContext {
  /** From the route `/lti/launch/<slug>`; null on the routing URL `/lti/launch`. */
  slug: string | null;
  body: Record<string, unknown>;
  form?: { idToken: string; state: string; binding: string | null; storageUnavailable: boolean };
  loginState?: LoginStateTable;
  header?: ProtectedHeaderParameters;
  payload?: JWTPayload;
  /** The gateway's URLs of the services the launch carried (record_service_endpoints), for the hand-off. */
  services?: LaunchServices;
}
