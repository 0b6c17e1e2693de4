import type { Db } from '../../store/db.ts';
import type { ContextRef } from './lineItems.ts';

/** One launch as the context_launches table keeps it: who, which tool, from which link, in which context. */
export interface ContextLaunch extends ContextRef {
  toolId: string;
  resourceLinkId: string;
  userId: string;
}

/**
 * The context_launches table: who launched which tool from which resource link in which context,
 * one row for each (the first such launch). It answers what AGS asks of a context: the resource
 * links a tool's line item may name, and whether a score's user is of the context.
 */
export class ContextLaunches {
  /** Launches this instance recorded already: a repeated launch writes nothing (bounded; cleared when full). */
  private readonly recorded = new Set<string>();

  constructor(private readonly db: Db, private readonly maxRemembered = 10_000) {}

  /** Records a launch unless this instance recorded the same one already. */
  async recordOnce(launch: ContextLaunch): Promise<void> {
    const key = JSON.stringify([launch.platformId, launch.contextId, launch.toolId, launch.resourceLinkId, launch.userId]);
    if (this.recorded.has(key)) return;
    await this.record(launch);
    if (this.recorded.size >= this.maxRemembered) this.recorded.clear();
    this.recorded.add(key);
  }

  /** Records a launch (idempotent: a second launch of the same user from the same link writes nothing). */
  async record(launch: ContextLaunch, now = Date.now()): Promise<void> {
    await this.db
      .insertInto('context_launches')
      .values({
        platform_id: launch.platformId, context_id: launch.contextId, tool_id: launch.toolId,
        resource_link_id: launch.resourceLinkId, user_id: launch.userId, created_at: now,
      })
      .onConflict((oc) => oc.columns(['platform_id', 'context_id', 'tool_id', 'resource_link_id', 'user_id']).doNothing())
      .execute();
  }

  /** Whether the tool was launched in this context (from any link, by anyone). */
  async launchedIn(context: ContextRef & { toolId: string }): Promise<boolean> {
    const row = await this.db
      .selectFrom('context_launches')
      .select('user_id')
      .where('platform_id', '=', context.platformId)
      .where('context_id', '=', context.contextId)
      .where('tool_id', '=', context.toolId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Whether the tool was launched from this resource link in this context. */
  async hasResourceLink(context: ContextRef & { toolId: string }, resourceLinkId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('context_launches')
      .select('user_id')
      .where('platform_id', '=', context.platformId)
      .where('context_id', '=', context.contextId)
      .where('tool_id', '=', context.toolId)
      .where('resource_link_id', '=', resourceLinkId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Whether the user launched a tool in this context (any tool of the platform). */
  async launchedBy(context: ContextRef, userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('context_launches')
      .select('user_id')
      .where('platform_id', '=', context.platformId)
      .where('context_id', '=', context.contextId)
      .where('user_id', '=', userId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}
