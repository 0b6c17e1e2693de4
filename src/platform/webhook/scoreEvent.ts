import type { JWTPayload } from 'jose';
import type { WebhookDelivery } from '../model/webhookDeliveries.ts';

/** How long a webhook JWT is valid from its `iat`: each attempt signs a new one (same `jti`). */
export const SCORE_EVENT_LIFETIME_S = 300;

/**
 * The claims of the score webhook's JWT (issue 16, contract details): `iss` the platform's issuer,
 * `aud` the URL it is POSTed to, `jti` the delivery's id (the same on every retry), and the score
 * as the portal API shows results, in snake_case.
 */
export function scoreEventClaims(delivery: WebhookDelivery, target: { issuer: string; url: string }, now: number): JWTPayload {
  const iat = Math.floor(now / 1000);
  return {
    iss: target.issuer,
    aud: target.url,
    jti: delivery.id,
    iat,
    exp: iat + SCORE_EVENT_LIFETIME_S,
    event: 'score',
    context_id: delivery.contextId,
    line_item: { id: delivery.lineItemId, label: delivery.lineItemLabel },
    user_id: delivery.userId,
    score_given: delivery.scoreGiven,
    score_maximum: delivery.scoreMaximum,
    comment: delivery.comment,
    activity_progress: delivery.activityProgress,
    grading_progress: delivery.gradingProgress,
    timestamp: delivery.timestamp,
  };
}
