import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Members } from '../../../src/platform/model/members.ts';
import { ROLE } from '../../../src/lti/roles.ts';
import type { Db } from '../../../src/store/db.ts';
import { DIALECTS, useMigratedDb } from '../../support/db.ts';

async function platform(db: Db): Promise<string> {
  const id = randomUUID();
  const now = Date.now();
  await db.insertInto('platforms').values({
    id, name: 'P', slug: `p-${id.slice(0, 8)}`, openid_configuration_url: 'https://idp.example/.well-known/openid-configuration',
    idp_metadata: '{}', client_id: 'c', client_secret_enc: null, context_jwks_url: null, context_public_jwk: null, context_public_key: null,
    role_claim: null, role_map: null, created_at: now, updated_at: now,
  }).execute();
  return id;
}

describe.each(DIALECTS)('the members of a context on %s', (dialect) => {
  const store = useMigratedDb(dialect);

  it('records a launch as an Active member, once, and moves updated_at only when what NRPS shows changes', async () => {
    const members = new Members(store.db);
    const platformId = await platform(store.db);
    const context = { id: 'course-1', label: 'C1', title: 'Course one' };
    await members.recordLaunch({ platformId, context, user: { sub: 'u1', name: 'Ada', email: 'ada@example.edu' }, roles: [ROLE.Learner], now: 1000 });
    await members.recordLaunch({ platformId, context, user: { sub: 'u1', name: 'Ada', email: 'ada@example.edu' }, roles: [ROLE.Learner], now: 2000 });
    let [ada] = (await members.page(platformId, 'course-1', { limit: 10 })).members;
    expect(ada).toMatchObject({ userId: 'u1', name: 'Ada', email: 'ada@example.edu', roles: [ROLE.Learner], status: 'Active', launched: true, pushed: false, updatedAt: 1000 });
    await members.recordLaunch({ platformId, context: { ...context, title: 'Course 1' }, user: { sub: 'u1', name: 'Ada L.' }, roles: [ROLE.Instructor], now: 3000 });
    [ada] = (await members.page(platformId, 'course-1', { limit: 10 })).members;
    expect(ada).toMatchObject({ name: 'Ada L.', email: null, roles: [ROLE.Instructor], updatedAt: 3000 });
    expect(await members.context(platformId, 'course-1')).toEqual({ label: 'C1', title: 'Course 1' });
    expect(await members.context(platformId, 'course-2')).toBeUndefined();
    expect(await members.isMember(platformId, 'course-1', 'u1')).toBe(true);
    expect(await members.isMember(platformId, 'course-1', 'u2')).toBe(false);
    expect(await members.isMember(platformId, 'course-2', 'u1')).toBe(false);
    expect(await members.isMember(await platform(store.db), 'course-1', 'u1')).toBe(false);
  });

  it('pages by user id with a role filter that matches the whole URI, case and all', async () => {
    const members = new Members(store.db);
    const platformId = await platform(store.db);
    const context = { id: 'course-paged' };
    for (const [sub, role] of [['b', ROLE.Learner], ['a', ROLE.Instructor], ['d', ROLE.Learner], ['c', ROLE.Learner], ['e', `${ROLE.Learner}X`]] as const) {
      await members.recordLaunch({ platformId, context, user: { sub }, roles: [role] });
    }
    const first = await members.page(platformId, 'course-paged', { limit: 2, role: ROLE.Learner });
    expect(first.members.map((m) => m.userId)).toEqual(['b', 'c']);
    expect(first.more).toBe(true);
    const second = await members.page(platformId, 'course-paged', { limit: 2, role: ROLE.Learner, after: 'c' });
    expect(second.members.map((m) => m.userId)).toEqual(['d']);
    expect(second.more).toBe(false);
    expect((await members.page(platformId, 'course-paged', { limit: 9, role: ROLE.Learner.toLowerCase() })).members).toEqual([]);
    expect((await members.page(platformId, 'course-paged', { limit: 9 })).members.map((m) => m.userId)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('replaces the pushed roster: left-out pushed members Inactive, launch-only ones untouched, counts by status', async () => {
    const members = new Members(store.db);
    const platformId = await platform(store.db);
    await members.recordLaunch({ platformId, context: { id: 'k' }, user: { sub: 'launcher-only', email: 'l@example.edu' }, roles: [ROLE.Learner], now: 100 });
    await members.recordLaunch({ platformId, context: { id: 'k' }, user: { sub: 'both', email: 'both@example.edu' }, roles: [ROLE.Learner], now: 100 });
    const push = (ids: string[], now: number) => members.replaceRoster(platformId, 'k', ids.map((userId) => ({
      userId, name: `N ${userId}`, givenName: null, familyName: null, email: null, roles: [ROLE.Learner],
    })), now);
    expect(await push(['both', 'p1', 'p2'], 200)).toEqual({ active: 4, inactive: 0 });
    expect(await push(['p1', 'p2'], 300)).toEqual({ active: 3, inactive: 1 });
    expect(await push(['p1', 'p2'], 400)).toEqual({ active: 3, inactive: 1 });
    const all = (await members.page(platformId, 'k', { limit: 10 })).members;
    expect(Object.fromEntries(all.map((m) => [m.userId, [m.status, m.updatedAt]]))).toEqual({
      'launcher-only': ['Active', 100], both: ['Inactive', 300], p1: ['Active', 200], p2: ['Active', 200],
    });
    // The push left the email out: the one the launch carried stays.
    expect(all.find((m) => m.userId === 'both')).toMatchObject({ email: 'both@example.edu', name: 'N both', pushed: true, launched: true });
    expect((await members.page(platformId, 'k', { limit: 10, changedSince: 300 })).members.map((m) => m.userId)).toEqual(['both']);
    expect(await members.isMember(platformId, 'k', 'both')).toBe(true);
    // A launch makes an inactivated member Active again.
    await members.recordLaunch({ platformId, context: { id: 'k' }, user: { sub: 'both' }, roles: [ROLE.Learner], now: 500 });
    expect((await members.page(platformId, 'k', { limit: 10, changedSince: 500 })).members.map((m) => [m.userId, m.status])).toEqual([['both', 'Active']]);
  });
});
