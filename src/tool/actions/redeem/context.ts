import type { LaunchSummary } from '../../launchSummary.ts';
import type { FlowContext } from '../pipeline.ts';

/** What the steps of `GET /api/v1/launches/<code>` read and fill in. */
export interface RedeemContext extends FlowContext {
  /** The hand-off code, from the route. */
  code: string;
  /** The launch the code stands for, once redeemed. */
  summary?: LaunchSummary;
}
