/**
 * ltijs (a certified LTI 1.3 tool library we did not write) reads a context's members from the
 * launcher with its NamesAndRoles service, over several pages: it takes the memberships URL from
 * the launch's namesroleservice claim, asks for a token with the NRPS scope, and follows the
 * `Link: rel="next"` headers. Set up by ltijsTool.ts (Postgres only).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LtijsProvider, LtijsToken } from 'ltijs';
import { ROLE } from '../../../src/lti/roles.ts';
import { NRPS_SCOPE } from '../../../src/lti/services/scopes.ts';
import type { LauncherWorld } from '../harness.ts';
import { startLtijsTool, type LtijsTool } from './ltijsTool.ts';
import { pushRoster } from './nrpsSupport.ts';

const PG_URL = process.env.TEST_DATABASE_URL;
const COURSE = { id: 'bio-300', label: 'BIO 300', title: 'Cells' };

describe.skipIf(!PG_URL)('ltijs reads members from the launcher (NRPS 2.0)', () => {
  let tool: LtijsTool;
  let world: LauncherWorld;
  let lti: LtijsProvider;
  const launch = (user: string): Promise<LtijsToken> => tool.launch(user);
  const grantedScopes = () => tool.grantedScopes();

  beforeAll(async () => {
    tool = await startLtijsTool(PG_URL!, { clientId: 'ltijs-roster', name: 'ltijs Roster', course: COURSE, resourceLinkId: 'cells-quiz' });
    ({ world, lti } = tool);
  }, 60_000);

  afterAll(() => tool?.close());

  it('reads the roster the portal pushed and the users who launched, over several pages', async () => {
    const pushed = await pushRoster(world, COURSE.id, {
      members: [
        { sub: 'ada', name: 'Ada Lovelace', roles: ['Instructor'] },
        ...['s1', 's2', 's3', 's4'].map((sub) => ({ sub, name: `Student ${sub}`, email: `${sub}@school.example`, roles: ['Learner'] })),
      ],
    });
    expect(await pushed.json()).toEqual({ active: 5, inactive: 0 });
    await launch('alan');
    const token = await launch('ada');
    expect(token.platformContext.namesRoles).toEqual({
      context_memberships_url: `${world.platform.base_url}/api/lti/contexts/${COURSE.id}/memberships`, service_versions: ['2.0'],
    });

    const all = await lti.NamesAndRoles.getMembers(token, { limit: 2, pages: false });
    expect(all.context).toEqual(COURSE);
    expect(all.members.map((m) => m.user_id)).toEqual(['ada', 'alan', 's1', 's2', 's3', 's4']);
    expect(all.members.find((m) => m.user_id === 'alan')).toMatchObject({ status: 'Active', roles: [ROLE.Learner], email: 'alan.turing@school.example' });
    expect(all.members.find((m) => m.user_id === 's3')).toEqual({ user_id: 's3', status: 'Active', roles: [ROLE.Learner], name: 'Student s3', email: 's3@school.example' });
    expect(all.next).toBeUndefined();
    expect(all.differences).toMatch(/[?&]since=\d+/);
    expect(await grantedScopes()).toContainEqual(NRPS_SCOPE);

    // ltijs's default: one page, and the next page's URL to continue from.
    const first = await lti.NamesAndRoles.getMembers(token, { limit: 4 });
    expect(first.members.map((m) => m.user_id)).toEqual(['ada', 'alan', 's1', 's2']);
    const rest = await lti.NamesAndRoles.getMembers(token, { url: first.next! });
    expect(rest.members.map((m) => m.user_id)).toEqual(['s3', 's4']);

    const learners = await lti.NamesAndRoles.getMembers(token, { role: 'Learner', resourceLinkId: true, pages: false });
    expect(learners.members.map((m) => m.user_id)).toEqual(['alan', 's1', 's2', 's3', 's4']);
    expect(new URL(learners.id).searchParams.get('rlid')).toBe('cells-quiz');
  });
});
