import type { Db } from '../../store/db.ts';
import type { ContextRef } from './lineItems.ts';

/** A tool's resource link in a context, as a launch from it names it. */
export interface ResourceLinkRef extends ContextRef {
  toolId: string;
  resourceLinkId: string;
}

/**
 * The resource_links table: the links each tool was launched from, per context, recorded at
 * launch. A line item's `resourceLinkId` must be one of its own tool's in its own context
 * (AGS 2.0 §3.2.7), and a tool creates line items only in a context it was launched in.
 */
export class ResourceLinks {
  /** Links this instance recorded already: a repeated launch writes nothing (bounded; cleared when full). */
  private readonly recorded = new Set<string>();

  constructor(private readonly db: Db, private readonly maxRemembered = 10_000) {}

  /** Records a launch's link unless this instance recorded it already (idempotent in the database too). */
  async recordOnce(link: ResourceLinkRef, now = Date.now()): Promise<void> {
    const key = JSON.stringify([link.platformId, link.contextId, link.toolId, link.resourceLinkId]);
    if (this.recorded.has(key)) return;
    await this.db
      .insertInto('resource_links')
      .values({ platform_id: link.platformId, context_id: link.contextId, tool_id: link.toolId, resource_link_id: link.resourceLinkId, created_at: now })
      .onConflict((oc) => oc.columns(['platform_id', 'context_id', 'tool_id', 'resource_link_id']).doNothing())
      .execute();
    if (this.recorded.size >= this.maxRemembered) this.recorded.clear();
    this.recorded.add(key);
  }

  /** Whether the tool was launched in this context (from any of its links). */
  async launchedIn(context: ContextRef & { toolId: string }): Promise<boolean> {
    const row = await this.db
      .selectFrom('resource_links')
      .select('resource_link_id')
      .where('platform_id', '=', context.platformId)
      .where('context_id', '=', context.contextId)
      .where('tool_id', '=', context.toolId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Whether the tool was launched from this resource link in this context. */
  async has(link: ResourceLinkRef): Promise<boolean> {
    const row = await this.db
      .selectFrom('resource_links')
      .select('resource_link_id')
      .where('platform_id', '=', link.platformId)
      .where('context_id', '=', link.contextId)
      .where('tool_id', '=', link.toolId)
      .where('resource_link_id', '=', link.resourceLinkId)
      .executeTakeFirst();
    return row !== undefined;
  }
}
