import { randomBytes } from 'node:crypto';
import type { LineItemInput } from '../../lti/services/ags.ts';
import type { Db } from '../../store/db.ts';
import { ReadCache } from '../../store/readCache.ts';
import type { LineItemTable } from '../../store/schema.ts';

/** A context of a platform, as the LTI context claim of its launches names it. */
export interface ContextRef {
  platformId: string;
  contextId: string;
}

/** A line item (AGS 2.0 §3): a column of a tool's gradebook in one context. */
export interface LineItem extends LineItemInput {
  id: string;
  platformId: string;
  contextId: string;
  toolId: string;
  createdAt: number;
  updatedAt: number;
}

/** Where a page of line items starts: after the item created at `createdAt` with `id` (keyset paging). */
export interface LineItemCursor {
  createdAt: number;
  id: string;
}

export interface LineItemFilter {
  resourceLinkId?: string;
  resourceId?: string;
  tag?: string;
  /** Only this tool's items (a tool's token); every tool's when absent (the portal). */
  toolId?: string;
  after?: LineItemCursor;
  limit: number;
}

function toLineItem(row: LineItemTable): LineItem {
  return {
    id: row.id,
    platformId: row.platform_id,
    contextId: row.context_id,
    toolId: row.tool_id,
    label: row.label,
    scoreMaximum: Number(row.score_maximum),
    resourceLinkId: row.resource_link_id,
    resourceId: row.resource_id,
    tag: row.tag,
    startDateTime: row.start_date_time,
    endDateTime: row.end_date_time,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The line_items table: every statement about it, rows mapped once. */
export class LineItems {
  /**
   * The items bound to each resource link, which every launch of an AGS tool reads for its claim's
   * `lineitem`: cached per instance like the settings (src/store/readCache.ts; a class launching
   * at once reads it once). This instance's writes clear it at once; another instance's item shows
   * in the claim within the cache's 5 s.
   */
  private readonly linkCache = new ReadCache();

  constructor(private readonly db: Db) {}

  async create(owner: ContextRef & { toolId: string }, input: LineItemInput, now = Date.now()): Promise<LineItem> {
    const row: LineItemTable = {
      id: randomBytes(12).toString('base64url'),
      platform_id: owner.platformId,
      context_id: owner.contextId,
      tool_id: owner.toolId,
      label: input.label,
      score_maximum: input.scoreMaximum,
      resource_link_id: input.resourceLinkId,
      resource_id: input.resourceId,
      tag: input.tag,
      start_date_time: input.startDateTime,
      end_date_time: input.endDateTime,
      created_at: now,
      updated_at: now,
    };
    await this.linkCache.writing(() => this.db.insertInto('line_items').values(row).execute());
    return toLineItem(row);
  }

  /** The line item of this id in this context, or undefined (another context's item is not found here). */
  async find(context: ContextRef, id: string): Promise<LineItem | undefined> {
    const row = await this.db
      .selectFrom('line_items')
      .selectAll()
      .where('id', '=', id)
      .where('platform_id', '=', context.platformId)
      .where('context_id', '=', context.contextId)
      .executeTakeFirst();
    return row ? toLineItem(row) : undefined;
  }

  /** One page of a context's line items in creation order, the filters ANDed (AGS 2.0 §3.2.4); one more than `limit` tells there is a next page. */
  async list(context: ContextRef, filter: LineItemFilter): Promise<{ items: LineItem[]; next: LineItemCursor | null }> {
    let query = this.db
      .selectFrom('line_items')
      .selectAll()
      .where('platform_id', '=', context.platformId)
      .where('context_id', '=', context.contextId);
    if (filter.toolId !== undefined) query = query.where('tool_id', '=', filter.toolId);
    if (filter.resourceLinkId !== undefined) query = query.where('resource_link_id', '=', filter.resourceLinkId);
    if (filter.resourceId !== undefined) query = query.where('resource_id', '=', filter.resourceId);
    if (filter.tag !== undefined) query = query.where('tag', '=', filter.tag);
    const after = filter.after;
    if (after) {
      query = query.where((eb) => eb.or([
        eb('created_at', '>', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)]),
      ]));
    }
    const rows = await query.orderBy('created_at').orderBy('id').limit(filter.limit + 1).execute();
    const items = rows.slice(0, filter.limit).map(toLineItem);
    const last = items.at(-1);
    return { items, next: rows.length > filter.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
  }

  /** Every tool's line items of a context in creation order, each with its tool's client_id (the portal's grades). */
  async ofContext(context: ContextRef): Promise<Array<{ item: LineItem; toolClientId: string }>> {
    const rows = await this.db
      .selectFrom('line_items')
      .innerJoin('tools', 'tools.id', 'line_items.tool_id')
      .selectAll('line_items')
      .select('tools.client_id as tool_client_id')
      .where('line_items.platform_id', '=', context.platformId)
      .where('line_items.context_id', '=', context.contextId)
      .orderBy('line_items.created_at')
      .orderBy('line_items.id')
      .execute();
    return rows.map((row) => ({ item: toLineItem(row), toolClientId: row.tool_client_id }));
  }

  /**
   * The ids of the tool's line items bound to a resource link, at most two: the launch's AGS claim
   * names the item only when there is exactly one (AGS 2.0 §3.2.1).
   */
  async idsForLink(context: ContextRef & { toolId: string }, resourceLinkId: string): Promise<readonly string[]> {
    const key = JSON.stringify([context.platformId, context.contextId, context.toolId, resourceLinkId]);
    return this.linkCache.get(key, async () => {
      const rows = await this.db
        .selectFrom('line_items')
        .select('id')
        .where('platform_id', '=', context.platformId)
        .where('context_id', '=', context.contextId)
        .where('tool_id', '=', context.toolId)
        .where('resource_link_id', '=', resourceLinkId)
        .limit(2)
        .execute();
      return rows.map((r) => r.id);
    });
  }

  /** Replaces what a tool may change of an item; `resourceLinkId`, `resourceId` and `tag` as sent (AGS 2.0 §3.3). */
  async update(item: LineItem, input: LineItemInput, now = Date.now()): Promise<LineItem> {
    await this.linkCache.writing(() => this.db
      .updateTable('line_items')
      .set({
        label: input.label,
        score_maximum: input.scoreMaximum,
        resource_link_id: input.resourceLinkId,
        resource_id: input.resourceId,
        tag: input.tag,
        start_date_time: input.startDateTime,
        end_date_time: input.endDateTime,
        updated_at: now,
      })
      .where('id', '=', item.id)
      .execute());
    return { ...item, ...input, updatedAt: now };
  }

  /** Deletes the item with its results and scores (the foreign keys cascade). */
  async delete(id: string): Promise<void> {
    await this.linkCache.writing(() => this.db.deleteFrom('line_items').where('id', '=', id).execute());
  }
}
