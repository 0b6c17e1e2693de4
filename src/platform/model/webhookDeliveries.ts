import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ScoreFields, ScoreInput } from '../../lti/services/ags.ts';
import { scoreColumnsOf, scoreFieldsOf } from './scoreRow.ts';
import type { Db } from '../../store/db.ts';
import type { Database, WebhookDeliveryTable } from '../../store/schema.ts';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Where an accepted score belongs: what the webhook's JWT says besides the score itself. */
export interface ScoreEventSource {
  platformId: string;
  contextId: string;
  /** The line item's short id (the portal API's `id`). */
  lineItemId: string;
  lineItemLabel: string;
}

/** One score to send to a platform's webhook, and how sending it went. */
export interface WebhookDelivery extends ScoreEventSource, ScoreFields {
  /** The JWT's `jti` on every attempt: the receiver's idempotency id. */
  id: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

function toDelivery(row: WebhookDeliveryTable): WebhookDelivery {
  return {
    id: row.id,
    platformId: row.platform_id,
    contextId: row.context_id,
    lineItemId: row.line_item_id,
    lineItemLabel: row.line_item_label,
    ...scoreFieldsOf(row),
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at === null ? null : Number(row.next_attempt_at),
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    deliveredAt: row.delivered_at === null ? null : Number(row.delivered_at),
  };
}

/**
 * Writes a score's delivery into the outbox, on the connection or transaction given: the score's
 * own transaction (src/platform/model/results.ts), so a score is never stored without it. Due at once.
 */
export async function queueDelivery(db: Kysely<Database>, source: ScoreEventSource, score: ScoreInput, now: number): Promise<string> {
  const id = randomBytes(16).toString('base64url');
  await db.insertInto('webhook_deliveries').values({
    id,
    platform_id: source.platformId,
    context_id: source.contextId,
    line_item_id: source.lineItemId,
    line_item_label: source.lineItemLabel,
    ...scoreColumnsOf(score),
    status: 'pending',
    attempts: 0,
    next_attempt_at: now,
    last_status: null,
    last_error: null,
    created_at: now,
    delivered_at: null,
  }).execute();
  return id;
}

/** What an attempt that did not deliver leaves: the answer, and when to try again (null: give up). */
export interface FailedAttempt {
  status: number | null;
  error: string;
  nextAttemptAt: number | null;
}

/**
 * The webhook_deliveries table: every statement about it, rows mapped once. Several instances
 * share it: a worker sends a row only after `claim` has moved its `next_attempt_at` from the value
 * it read to the end of its lease, which one worker alone can do (the others' updates match no row).
 */
export class WebhookDeliveries {
  constructor(private readonly db: Db) {}

  /** Pending rows whose next attempt is due, oldest due first. */
  async due(now: number, limit: number): Promise<WebhookDelivery[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    return rows.map(toDelivery);
  }

  /**
   * Takes a due row for one attempt, until `leaseUntil` (after which another worker may take it,
   * should this one never report): true when this call won it. Counts the attempt.
   */
  async claim(delivery: WebhookDelivery, leaseUntil: number): Promise<boolean> {
    if (delivery.nextAttemptAt === null) return false;
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({ next_attempt_at: leaseUntil, attempts: eb('attempts', '+', 1) }))
      .where('id', '=', delivery.id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '=', delivery.nextAttemptAt)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The receiver answered 2xx: delivered, whoever holds the row now. */
  async delivered(id: string, status: number, now: number): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'delivered', next_attempt_at: null, last_status: status, last_error: null, delivered_at: now })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  /** An attempt under the lease `leaseUntil` failed: due again later, or failed for good. A lapsed lease changes nothing. */
  async attemptFailed(id: string, leaseUntil: number, failed: FailedAttempt): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({
        status: failed.nextAttemptAt === null ? 'failed' : 'pending',
        next_attempt_at: failed.nextAttemptAt,
        last_status: failed.status,
        last_error: failed.error,
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '=', leaseUntil)
      .execute();
  }

  /** A platform's deliveries, newest first; of one status when given. */
  async list(platformId: string, options: { status?: DeliveryStatus; limit: number }): Promise<WebhookDelivery[]> {
    let query = this.db.selectFrom('webhook_deliveries').selectAll().where('platform_id', '=', platformId);
    if (options.status) query = query.where('status', '=', options.status);
    const rows = await query.orderBy('created_at', 'desc').orderBy('id').limit(options.limit).execute();
    return rows.map(toDelivery);
  }

  /** How many of a platform's deliveries are in each status. */
  async counts(platformId: string): Promise<Record<DeliveryStatus, number>> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('platform_id', '=', platformId)
      .groupBy('status')
      .execute();
    const counts: Record<DeliveryStatus, number> = { pending: 0, delivered: 0, failed: 0 };
    for (const row of rows) if ((DELIVERY_STATUSES as readonly string[]).includes(row.status)) counts[row.status as DeliveryStatus] = Number(row.n);
    return counts;
  }

  async find(platformId: string, id: string): Promise<WebhookDelivery | undefined> {
    const row = await this.db.selectFrom('webhook_deliveries').selectAll().where('platform_id', '=', platformId).where('id', '=', id).executeTakeFirst();
    return row ? toDelivery(row) : undefined;
  }

  /** "Retry now": a pending or failed delivery of the platform becomes due at once; false when there is none (or it was delivered). */
  async retryNow(platformId: string, id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: now })
      .where('platform_id', '=', platformId)
      .where('id', '=', id)
      .where('status', 'in', ['pending', 'failed'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
