import { sql } from 'kysely';
import type { UserClaims } from '../../lti/claims.ts';
import type { Db } from '../../store/db.ts';
import type { MemberTable } from '../../store/schema.ts';

/** A membership's status (NRPS 2.0): `Deleted` is shown only by the differences link. */
export type MemberStatus = 'Active' | 'Inactive' | 'Deleted';

/** A member of a context: what the portal pushed and/or what the user's latest launch carried. */
export interface Member {
  platformId: string;
  contextId: string;
  /** The user's `sub`. */
  userId: string;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  middleName: string | null;
  email: string | null;
  picture: string | null;
  /** LTI role URIs. */
  roles: string[];
  status: MemberStatus;
  /** The portal's roster push has named this user: a later push that leaves them out makes them Inactive. */
  pushed: boolean;
  /** The user has launched a tool in this context. */
  launched: boolean;
  updatedAt: number;
}

/** A member as the portal pushes it (its roles already full URIs). */
export interface PushedMember {
  userId: string;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  roles: string[];
}

/** What a page of memberships reads: a role filter, a keyset cursor, a page size, and for differences a time. */
export interface MemberQuery {
  /** A full role URI; only members holding it. */
  role?: string;
  /** Only members whose user id sorts after this one (the cursor of the previous page). */
  after?: string;
  limit: number;
  /** Differences: only members changed at or after this time, `Deleted` ones included. */
  changedSince?: number;
}

function toMember(row: MemberTable): Member {
  return {
    platformId: row.platform_id,
    contextId: row.context_id,
    userId: row.user_id,
    name: row.name,
    givenName: row.given_name,
    familyName: row.family_name,
    middleName: row.middle_name,
    email: row.email,
    picture: row.picture,
    roles: JSON.parse(row.roles) as string[],
    status: row.status as MemberStatus,
    pushed: Number(row.pushed) === 1,
    launched: Number(row.launched) === 1,
    updatedAt: Number(row.updated_at),
  };
}

/** The columns NRPS shows of a member: a change in any of them moves `updated_at`. */
/** How fresh `launched_at` is kept: a relaunch within this time of the last recorded one writes nothing. */
export const LAUNCHED_AT_GRAIN_MS = 10 * 60_000;

const SHOWN = ['name', 'given_name', 'family_name', 'middle_name', 'email', 'picture', 'roles', 'status'] as const;

/**
 * The members table: the members of each context of each platform, keyed by (platform, context,
 * user). Rows come from launches (`recordLaunch`, one statement on the launch path) and from the
 * portal's roster push (`replaceRoster`, one transaction); NRPS reads them in pages.
 */
export class Members {
  constructor(private readonly db: Db) {}

  /**
   * A launch in a context: the user becomes (or stays) an Active member with the launch's roles and
   * user claims, as one upsert. `updated_at` moves only when what NRPS shows changed, so repeated
   * launches do not fill the differences link. A relaunch that changes nothing writes nothing
   * (a class launching at once would otherwise rewrite its rows): `launched_at`, the console's
   * "last activity", moves at most once per LAUNCHED_AT_GRAIN_MS.
   */
  async recordLaunch(launch: {
    platformId: string;
    context: { id: string; label?: string; title?: string };
    user: UserClaims;
    roles: string[];
    now?: number;
  }): Promise<void> {
    const now = launch.now ?? Date.now();
    const { user } = launch;
    const row: MemberTable = {
      platform_id: launch.platformId,
      context_id: launch.context.id,
      user_id: user.sub,
      name: user.name ?? null,
      given_name: user.given_name ?? null,
      family_name: user.family_name ?? null,
      middle_name: user.middle_name ?? null,
      email: user.email ?? null,
      picture: user.picture ?? null,
      roles: JSON.stringify(launch.roles),
      status: 'Active',
      pushed: 0,
      launched: 1,
      context_label: launch.context.label ?? null,
      context_title: launch.context.title ?? null,
      launched_at: now,
      updated_at: now,
    };
    const changed = sql.join(SHOWN.map((c) => sql`${sql.ref(`members.${c}`)} is distinct from ${sql.ref(`excluded.${c}`)}`), sql` or `);
    await this.db
      .insertInto('members')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['platform_id', 'context_id', 'user_id']).doUpdateSet({
          name: (eb) => eb.ref('excluded.name'),
          given_name: (eb) => eb.ref('excluded.given_name'),
          family_name: (eb) => eb.ref('excluded.family_name'),
          middle_name: (eb) => eb.ref('excluded.middle_name'),
          email: (eb) => eb.ref('excluded.email'),
          picture: (eb) => eb.ref('excluded.picture'),
          roles: (eb) => eb.ref('excluded.roles'),
          status: 'Active',
          launched: 1,
          context_label: (eb) => eb.ref('excluded.context_label'),
          context_title: (eb) => eb.ref('excluded.context_title'),
          launched_at: (eb) => eb.ref('excluded.launched_at'),
          updated_at: sql<number>`case when ${changed} then ${now} else ${sql.ref('members.updated_at')} end`,
        }).where(sql<boolean>`${changed} or ${sql.ref('members.launched')} = 0
          or ${sql.ref('members.context_label')} is distinct from ${sql.ref('excluded.context_label')}
          or ${sql.ref('members.context_title')} is distinct from ${sql.ref('excluded.context_title')}
          or coalesce(${sql.ref('members.launched_at')}, 0) < ${now - LAUNCHED_AT_GRAIN_MS}`),
      )
      .execute();
  }

  /**
   * Whether the user is a member of the context (Active or Inactive: a student who left the course
   * is still one of its members, as NRPS lists them; a Deleted membership is not). AGS asks this
   * before it accepts a score for the user.
   */
  async isMember(platformId: string, contextId: string, userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('members')
      .select('status')
      .where('platform_id', '=', platformId)
      .where('context_id', '=', contextId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined && row.status !== 'Deleted';
  }

  /**
   * The context as its latest launch named it (label and title of the context claim); undefined
   * when the platform has no member in it at all — the context was never launched in nor pushed.
   */
  async context(platformId: string, contextId: string): Promise<{ label: string | null; title: string | null } | undefined> {
    const row = await this.db
      .selectFrom('members')
      .select(['context_label', 'context_title'])
      .where('platform_id', '=', platformId)
      .where('context_id', '=', contextId)
      .orderBy(sql`case when launched_at is null then 0 else 1 end`, 'desc')
      .orderBy('launched_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && { label: row.context_label, title: row.context_title };
  }

  /**
   * One page of the context's members, ordered by user id (unique in a context), so a keyset cursor
   * (`after`) pages stably while members are added or change. Without `changedSince`, Deleted
   * members are left out (NRPS 2.0 shows them only as differences). Reads `limit + 1` rows: the
   * caller knows whether a next page exists.
   */
  async page(platformId: string, contextId: string, query: MemberQuery): Promise<{ members: Member[]; more: boolean }> {
    let q = this.db
      .selectFrom('members')
      .selectAll()
      .where('platform_id', '=', platformId)
      .where('context_id', '=', contextId);
    if (query.changedSince !== undefined) q = q.where('updated_at', '>=', query.changedSince);
    else q = q.where('status', '<>', 'Deleted');
    // Roles are a JSON list: the role's JSON string inside it, compared exactly (replace() is
    // case-sensitive on both databases, where LIKE is not on SQLite).
    if (query.role !== undefined) q = q.where(sql<boolean>`replace(roles, ${JSON.stringify(query.role)}, '') <> roles`);
    if (query.after !== undefined) q = q.where('user_id', '>', query.after);
    const rows = await q.orderBy('user_id').limit(query.limit + 1).execute();
    return { members: rows.slice(0, query.limit).map(toMember), more: rows.length > query.limit };
  }

  /** The context's members among these users, of any status (the gradebook's rows of one page). */
  async ofUsers(platformId: string, contextId: string, userIds: readonly string[]): Promise<Member[]> {
    const members: Member[] = [];
    for (let i = 0; i < userIds.length; i += 500) {
      const rows = await this.db
        .selectFrom('members')
        .selectAll()
        .where('platform_id', '=', platformId)
        .where('context_id', '=', contextId)
        .where('user_id', 'in', userIds.slice(i, i + 500))
        .execute();
      members.push(...rows.map(toMember));
    }
    return members;
  }

  /**
   * The portal's roster push, in one transaction: the pushed members become Active with the pushed
   * names, email and roles; members an earlier push named and this one leaves out become Inactive;
   * users known only from launches stay as they are. Answers the context's members by status.
   */
  async replaceRoster(platformId: string, contextId: string, roster: readonly PushedMember[], now = Date.now()): Promise<{ active: number; inactive: number }> {
    return this.db.transaction().execute(async (trx) => {
      const existing = new Map(
        (await trx.selectFrom('members').selectAll().where('platform_id', '=', platformId).where('context_id', '=', contextId).execute())
          .map((row) => [row.user_id, row]),
      );
      const named = new Set<string>();
      const writes: MemberTable[] = [];
      for (const m of roster) {
        named.add(m.userId);
        const old = existing.get(m.userId);
        // A field the push leaves out keeps what the user's launch said.
        const shown = {
          name: m.name ?? old?.name ?? null,
          given_name: m.givenName ?? old?.given_name ?? null,
          family_name: m.familyName ?? old?.family_name ?? null,
          email: m.email ?? old?.email ?? null,
          roles: JSON.stringify(m.roles),
          status: 'Active',
        };
        const changed = !old || (Object.keys(shown) as Array<keyof typeof shown>).some((k) => old[k] !== shown[k]);
        if (!changed && Number(old!.pushed) === 1) continue;
        writes.push({
          platform_id: platformId, context_id: contextId, user_id: m.userId, ...shown,
          middle_name: old?.middle_name ?? null, picture: old?.picture ?? null,
          pushed: 1, launched: old ? Number(old.launched) : 0, context_label: old?.context_label ?? null, context_title: old?.context_title ?? null,
          launched_at: old?.launched_at ?? null, updated_at: changed ? now : Number(old!.updated_at),
        });
      }
      // In batches, new and changed members alike; a user a concurrent launch has just added is updated.
      for (let i = 0; i < writes.length; i += 200) {
        await trx.insertInto('members').values(writes.slice(i, i + 200))
          .onConflict((oc) => oc.columns(['platform_id', 'context_id', 'user_id']).doUpdateSet({
            name: (eb) => eb.ref('excluded.name'),
            given_name: (eb) => eb.ref('excluded.given_name'),
            family_name: (eb) => eb.ref('excluded.family_name'),
            email: (eb) => eb.ref('excluded.email'),
            roles: (eb) => eb.ref('excluded.roles'),
            status: 'Active',
            pushed: 1,
            updated_at: (eb) => eb.ref('excluded.updated_at'),
          }))
          .execute();
      }
      const leftOut = [...existing.values()].filter((row) => !named.has(row.user_id) && Number(row.pushed) === 1 && row.status === 'Active');
      for (let i = 0; i < leftOut.length; i += 500) {
        await trx.updateTable('members')
          .set({ status: 'Inactive', updated_at: now })
          .where('platform_id', '=', platformId).where('context_id', '=', contextId)
          .where('user_id', 'in', leftOut.slice(i, i + 500).map((row) => row.user_id))
          .execute();
      }
      const counts = await trx.selectFrom('members')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('platform_id', '=', platformId).where('context_id', '=', contextId)
        .groupBy('status')
        .execute();
      const count = (status: MemberStatus) => Number(counts.find((c) => c.status === status)?.n ?? 0);
      return { active: count('Active'), inactive: count('Inactive') };
    });
  }
}
