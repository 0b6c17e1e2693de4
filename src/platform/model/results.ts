import { randomBytes } from 'node:crypto';
import type { ScoreInput } from '../../lti/services/ags.ts';
import type { Db } from '../../store/db.ts';
import type { ResultTable } from '../../store/schema.ts';
import { scoreColumnsOf, scoreFieldsOf } from './scoreRow.ts';
import { queueDelivery, type ScoreEventSource } from './webhookDeliveries.ts';

/** A user's latest score on a line item (AGS 2.0 §5), as the tool sent it (its timestamp with its sub-second precision). */
export interface Result extends ScoreInput {
  lineItemId: string;
  updatedAt: number;
}

function toResult(row: ResultTable): Result {
  return { ...scoreFieldsOf(row), lineItemId: row.line_item_id, timestampMicros: Number(row.timestamp_us), updatedAt: Number(row.updated_at) };
}

/** The results and scores tables: every statement about them, rows mapped once. */
export class Results {
  constructor(private readonly db: Db) {}

  /**
   * Writes a score and the result it makes, in one transaction: the result is replaced only when
   * the score is not older than it (AGS 2.0 §4.3.1: the platform MUST NOT update a result with a
   * later timestamp). The condition is part of the upsert itself, so two instances racing on the
   * same user and line item keep the newest score whatever their order. With `webhook` (the
   * platform has a score webhook), the score's delivery is queued in the same transaction, so a
   * crash cannot store the score and lose its delivery. Returns the score's id, or null when the
   * stored result is newer (nothing was written, no delivery either).
   */
  async record(lineItemId: string, score: ScoreInput, options: { now?: number; webhook?: ScoreEventSource } = {}): Promise<string | null> {
    const now = options.now ?? Date.now();
    const values = { line_item_id: lineItemId, ...scoreColumnsOf(score), timestamp_us: score.timestampMicros };
    return this.db.transaction().execute(async (tx) => {
      const written = await tx
        .insertInto('results')
        .values({ ...values, updated_at: now })
        .onConflict((oc) =>
          oc
            .columns(['line_item_id', 'user_id'])
            .doUpdateSet((eb) => ({
              score_given: eb.ref('excluded.score_given'),
              score_maximum: eb.ref('excluded.score_maximum'),
              comment: eb.ref('excluded.comment'),
              activity_progress: eb.ref('excluded.activity_progress'),
              grading_progress: eb.ref('excluded.grading_progress'),
              timestamp: eb.ref('excluded.timestamp'),
              timestamp_us: eb.ref('excluded.timestamp_us'),
              updated_at: eb.ref('excluded.updated_at'),
            }))
            .where('results.timestamp_us', '<=', (eb) => eb.ref('excluded.timestamp_us')),
        )
        .returning('user_id')
        .executeTakeFirst();
      if (!written) return null;
      const id = randomBytes(12).toString('base64url');
      await tx.insertInto('scores').values({ ...values, id, received_at: now }).execute();
      if (options.webhook) await queueDelivery(tx, options.webhook, score, now);
      return id;
    });
  }

  /** The stored result of a user on a line item. */
  async find(lineItemId: string, userId: string): Promise<Result | undefined> {
    const row = await this.db.selectFrom('results').selectAll().where('line_item_id', '=', lineItemId).where('user_id', '=', userId).executeTakeFirst();
    return row ? toResult(row) : undefined;
  }

  /** One page of a line item's results by user id (keyset paging after `afterUserId`); one more than `limit` tells there is a next page. */
  async list(lineItemId: string, options: { userId?: string; afterUserId?: string; limit: number }): Promise<{ results: Result[]; next: string | null }> {
    let query = this.db.selectFrom('results').selectAll().where('line_item_id', '=', lineItemId);
    if (options.userId !== undefined) query = query.where('user_id', '=', options.userId);
    if (options.afterUserId !== undefined) query = query.where('user_id', '>', options.afterUserId);
    const rows = await query.orderBy('user_id').limit(options.limit + 1).execute();
    const results = rows.slice(0, options.limit).map(toResult);
    return { results, next: rows.length > options.limit ? results.at(-1)!.userId : null };
  }

  /** Every result of a line item, by user id. */
  async all(lineItemId: string): Promise<Result[]> {
    return (await this.db.selectFrom('results').selectAll().where('line_item_id', '=', lineItemId).orderBy('user_id').execute()).map(toResult);
  }

  /** The results of these users on these line items (one page of a gradebook). */
  async ofUsers(lineItemIds: readonly string[], userIds: readonly string[]): Promise<Result[]> {
    if (lineItemIds.length === 0 || userIds.length === 0) return [];
    const results: Result[] = [];
    for (let i = 0; i < userIds.length; i += 500) {
      const rows = await this.db
        .selectFrom('results')
        .selectAll()
        .where('line_item_id', 'in', lineItemIds)
        .where('user_id', 'in', userIds.slice(i, i + 500))
        .execute();
      results.push(...rows.map(toResult));
    }
    return results;
  }

  /** How many scores were accepted for a user on a line item (the history the console shows). */
  async scoreCount(lineItemId: string, userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('scores')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('line_item_id', '=', lineItemId)
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
