import type { Launcher } from './launcher.ts';
import type { ContextSummary } from './model/contexts.ts';
import type { LineItem } from './model/lineItems.ts';
import type { Member } from './model/members.ts';
import type { Platform } from './model/platforms.ts';
import type { Result } from './model/results.ts';

/**
 * The admin's view of a platform's course contexts: which there are, who is in one, and the
 * gradebook (line items × people, the latest result in each cell). The admin API and the console
 * read the same functions; the portal's shapes of line items and results are the grades actions'
 * (src/platform/actions/grades/).
 */

/** A context as the admin API answers it. */
export function contextView(c: ContextSummary) {
  return {
    context_id: c.contextId,
    title: c.title,
    label: c.label,
    member_count: c.memberCount,
    line_item_count: c.lineItemCount,
    last_activity: new Date(c.lastActivity).toISOString(),
  };
}

/** Where a member comes from: the portal's roster push, a launch in the context, or both. */
export function memberSources(m: Pick<Member, 'pushed' | 'launched'>): Array<'roster' | 'launch'> {
  return [...(m.pushed ? ['roster' as const] : []), ...(m.launched ? ['launch' as const] : [])];
}

/** A member as the admin sees it: every field the launcher holds, whatever the tools may see. */
export function memberView(m: Member) {
  return {
    user_id: m.userId,
    name: m.name,
    given_name: m.givenName,
    family_name: m.familyName,
    middle_name: m.middleName,
    email: m.email,
    picture: m.picture,
    roles: m.roles,
    status: m.status,
    source: memberSources(m),
    updated_at: new Date(m.updatedAt).toISOString(),
  };
}

/** The most columns (line items) one gradebook page shows; the rest are counted. */
export const GRADEBOOK_MAX_LINE_ITEMS = 50;

export interface GradebookColumn {
  item: LineItem;
  /** The tool that made the line item, by name (its client id when the tool is gone). */
  toolName: string;
}

export interface GradebookRow {
  userId: string;
  /** Undefined for a user with a result who is not a member (any more). */
  member?: Member;
  /** The latest result by line item id. */
  results: Map<string, Result>;
}

export interface Gradebook {
  columns: GradebookColumn[];
  lineItemTotal: number;
  rows: GradebookRow[];
  /** Everyone in the context: members and users with results. */
  peopleTotal: number;
  offset: number;
}

/** One page of a context's gradebook: people by user id from `offset`, at most `limit`, and the first line items. */
export async function gradebookOf(launcher: Launcher, platform: Platform, contextId: string, page: { offset: number; limit: number }): Promise<Gradebook> {
  const context = { platformId: platform.id, contextId };
  const [items, people, tools] = await Promise.all([
    launcher.lineItems.ofContext(context),
    launcher.contexts.people(context, page),
    launcher.tools.listOf(platform.id),
  ]);
  const toolNames = new Map(tools.map((t) => [t.id, t.name]));
  const columns = items.slice(0, GRADEBOOK_MAX_LINE_ITEMS).map(({ item, toolClientId }) => ({ item, toolName: toolNames.get(item.toolId) ?? toolClientId }));
  const [members, results] = await Promise.all([
    launcher.members.ofUsers(platform.id, contextId, people.userIds),
    launcher.results.ofUsers(columns.map((c) => c.item.id), people.userIds),
  ]);
  const byUser = new Map(members.map((m) => [m.userId, m]));
  const rows = people.userIds.map((userId): GradebookRow => ({ userId, member: byUser.get(userId), results: new Map() }));
  const rowOf = new Map(rows.map((r) => [r.userId, r]));
  for (const r of results) rowOf.get(r.userId)?.results.set(r.lineItemId, r);
  return { columns, lineItemTotal: items.length, rows, peopleTotal: people.total, offset: page.offset };
}
