import { badRequest, notFound } from '../../lti/errors.ts';
import type { Launcher } from '../launcher.ts';
import { DELIVERY_STATUSES, type DeliveryStatus, type WebhookDelivery } from '../model/webhookDeliveries.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A score webhook delivery as the admin API shows it. */
export function deliveryView(d: WebhookDelivery) {
  return {
    id: d.id,
    status: d.status,
    context_id: d.contextId,
    line_item: { id: d.lineItemId, label: d.lineItemLabel },
    user_id: d.userId,
    score_given: d.scoreGiven,
    score_maximum: d.scoreMaximum,
    timestamp: d.timestamp,
    attempts: d.attempts,
    last_status: d.lastStatus,
    last_error: d.lastError,
    next_attempt_at: iso(d.nextAttemptAt),
    created_at: iso(d.createdAt),
    delivered_at: iso(d.deliveredAt),
  };
}

export const RECENT_DELIVERIES = 100;

/** The `?status=` of a delivery list: one of the statuses, or every status when absent. */
export function deliveryStatusOf(value: string | undefined): DeliveryStatus | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(DELIVERY_STATUSES as readonly string[]).includes(value)) throw badRequest('request_invalid', `status must be ${DELIVERY_STATUSES.join(', ')}.`);
  return value as DeliveryStatus;
}

/** "Retry now": a pending or failed delivery of the platform is due at once (the next pass of a worker sends it). */
export async function retryDeliveryNow(launcher: Launcher, platformId: string, id: string): Promise<WebhookDelivery> {
  if (!(await launcher.deliveries.retryNow(platformId, id, Date.now()))) {
    throw notFound('webhook_delivery_not_found', 'This platform has no pending or failed score webhook delivery with this id.');
  }
  return (await launcher.deliveries.find(platformId, id))!;
}
