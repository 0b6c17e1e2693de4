import { sql } from 'kysely';
import type { Db } from '../../store/db.ts';
import type { ContextRef } from './lineItems.ts';

/** A course context as the launcher knows it: there is no contexts table, only what happened in it. */
export interface ContextSummary {
  contextId: string;
  /** The context claim's title and label at the latest launch there; null when only pushed or graded. */
  title: string | null;
  label: string | null;
  /** Members of any status but Deleted: the roster's and the users who launched there. */
  memberCount: number;
  lineItemCount: number;
  /** The latest launch, roster change, line item change, score or first launch from a link there (ms). */
  lastActivity: number;
}

/**
 * The contexts of a platform and the people of a context, read across the tables that name them
 * (members, line items and their results, resource links): the admin's view of the courses.
 */
export class Contexts {
  constructor(private readonly db: Db) {}

  /** What happened in the platform's contexts, one row per event kind and context (a union). */
  private activity(platformId: string) {
    const zero = sql<number>`0`;
    const members = this.db
      .selectFrom('members')
      .select([
        'context_id',
        sql<number>`case when status <> 'Deleted' then 1 else 0 end`.as('member'),
        zero.as('item'),
        sql<number>`case when coalesce(launched_at, 0) > updated_at then launched_at else updated_at end`.as('at'),
      ])
      .where('platform_id', '=', platformId);
    const items = this.db
      .selectFrom('line_items')
      .select(['context_id', zero.as('member'), sql<number>`1`.as('item'), 'updated_at as at'])
      .where('platform_id', '=', platformId);
    const links = this.db
      .selectFrom('resource_links')
      .select(['context_id', zero.as('member'), zero.as('item'), 'created_at as at'])
      .where('platform_id', '=', platformId);
    const scores = this.db
      .selectFrom('results')
      .innerJoin('line_items', 'line_items.id', 'results.line_item_id')
      .select(['line_items.context_id as context_id', zero.as('member'), zero.as('item'), 'results.updated_at as at'])
      .where('line_items.platform_id', '=', platformId);
    return members.unionAll(items).unionAll(links).unionAll(scores);
  }

  /** The platform's contexts, the most recently active first, at most `limit`; `total` counts them all. */
  async list(platformId: string, limit: number): Promise<{ contexts: ContextSummary[]; total: number }> {
    const activity = this.activity(platformId).as('activity');
    const [rows, count] = await Promise.all([
      this.db
        .selectFrom(activity)
        .select([
          'context_id',
          (eb) => eb.fn.sum<number>('member').as('member_count'),
          (eb) => eb.fn.sum<number>('item').as('line_item_count'),
          (eb) => eb.fn.max<number>('at').as('last_activity'),
        ])
        .groupBy('context_id')
        .orderBy('last_activity', 'desc')
        .orderBy('context_id')
        .limit(limit)
        .execute(),
      this.db
        .selectFrom(this.activity(platformId).as('activity'))
        .select((eb) => eb.fn.count<number>('context_id').distinct().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    const names = await this.names(platformId, rows.map((r) => r.context_id));
    const contexts = rows.map((r) => ({
      contextId: r.context_id,
      title: names.get(r.context_id)?.title ?? null,
      label: names.get(r.context_id)?.label ?? null,
      memberCount: Number(r.member_count),
      lineItemCount: Number(r.line_item_count),
      lastActivity: Number(r.last_activity),
    }));
    return { contexts, total: Number(count.n) };
  }

  /** The title and label each context's latest launch gave it. */
  private async names(platformId: string, contextIds: string[]): Promise<Map<string, { title: string | null; label: string | null }>> {
    const names = new Map<string, { title: string | null; label: string | null }>();
    for (let i = 0; i < contextIds.length; i += 500) {
      const rows = await this.db
        .selectFrom('members')
        .select(['context_id', 'context_title', 'context_label'])
        .where('platform_id', '=', platformId)
        .where('context_id', 'in', contextIds.slice(i, i + 500))
        .where('launched_at', 'is not', null)
        .where((eb) => eb.or([eb('context_title', 'is not', null), eb('context_label', 'is not', null)]))
        .orderBy('launched_at', 'desc')
        .execute();
      for (const row of rows) if (!names.has(row.context_id)) names.set(row.context_id, { title: row.context_title, label: row.context_label });
    }
    return names;
  }

  /**
   * One page of the people of a context, by user id: its members (any status but Deleted) and
   * everyone a tool has a result for, so a grade never disappears with its member.
   */
  async people(context: ContextRef, page: { offset: number; limit: number }): Promise<{ userIds: string[]; total: number }> {
    const people = () => this.db
      .selectFrom('members')
      .select('user_id')
      .where('platform_id', '=', context.platformId)
      .where('context_id', '=', context.contextId)
      .where('status', '<>', 'Deleted')
      .union(
        this.db
          .selectFrom('results')
          .innerJoin('line_items', 'line_items.id', 'results.line_item_id')
          .select('results.user_id as user_id')
          .where('line_items.platform_id', '=', context.platformId)
          .where('line_items.context_id', '=', context.contextId),
      )
      .as('people');
    const [rows, count] = await Promise.all([
      this.db.selectFrom(people()).select('user_id').orderBy('user_id').limit(page.limit).offset(page.offset).execute(),
      this.db.selectFrom(people()).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { userIds: rows.map((r) => r.user_id), total: Number(count.n) };
  }
}
