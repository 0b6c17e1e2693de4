import { describe, expect, it } from 'vitest';
import { ROLE } from '../../../src/lti/roles.ts';
import { NRPS_SCOPE } from '../../../src/lti/services/scopes.ts';
import { DIALECTS } from '../../support/db.ts';
import { expectRefused } from '../../support/refused.ts';
import { useLauncherWorld, type LauncherWorld } from '../harness.ts';
import { getMembers, issueToken, launchIn, portalToken, pushRoster } from './nrpsSupport.ts';

const COURSE = { id: 'hist-200', label: 'HIST 200', title: 'Modern history' };

describe.each(DIALECTS)('the portal’s roster push on %s', (dialect) => {
  let world!: LauncherWorld;
  useLauncherWorld(dialect, (w) => (world = w));
  const url = () => `${world.platform.base_url}/api/lti/contexts/${COURSE.id}/memberships`;
  const statuses = async () => {
    const token = await issueToken(world, { scopes: [NRPS_SCOPE] });
    const body = (await (await getMembers(url(), token)).json()) as any;
    return Object.fromEntries(body.members.map((m: any) => [m.user_id, m.status]));
  };

  it('makes the pushed members Active, with their names and roles (short names made URIs), and answers the counts', async () => {
    await launchIn(world, 'alan', COURSE);
    const res = await pushRoster(world, COURSE.id, {
      members: [
        { sub: 'ada', name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', email: 'ada@school.example', roles: ['Instructor'] },
        { sub: 's1', name: '  Sam One ', roles: [ROLE.Learner, 'Learner'] },
        { sub: 's2', roles: ['Learner', 'urn:lti:role:ims/lis/Mentor'] },
      ],
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ active: 4, inactive: 0 });
    const token = await issueToken(world, { scopes: [NRPS_SCOPE] });
    const body = (await (await getMembers(url(), token)).json()) as any;
    expect(body.members).toEqual([
      { user_id: 'ada', status: 'Active', roles: [ROLE.Instructor], name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', email: 'ada@school.example' },
      expect.objectContaining({ user_id: 'alan', status: 'Active', roles: [ROLE.Learner] }),
      { user_id: 's1', status: 'Active', roles: [ROLE.Learner], name: 'Sam One' },
      { user_id: 's2', status: 'Active', roles: [ROLE.Learner, ROLE.Mentor] },
    ]);
  });

  it('makes pushed members a new push leaves out Inactive; users known only from launches stay Active', async () => {
    const res = await pushRoster(world, COURSE.id, { members: [{ sub: 'ada', roles: ['Instructor'] }, { sub: 's3', roles: ['Learner'] }] });
    expect(await res.json()).toEqual({ active: 3, inactive: 2 });
    expect(await statuses()).toEqual({ ada: 'Active', alan: 'Active', s1: 'Inactive', s2: 'Inactive', s3: 'Active' });
    // A left-out member who launches is Active again; the next push that leaves them out makes them Inactive again.
    await launchIn(world, 'alan', COURSE);
    const again = await pushRoster(world, COURSE.id, { members: [{ sub: 'ada', roles: ['Instructor'] }, { sub: 's3', roles: ['Learner'] }, { sub: 's1', roles: ['Learner'] }] });
    expect(await again.json()).toEqual({ active: 4, inactive: 1 });
    expect(await statuses()).toEqual({ ada: 'Active', alan: 'Active', s1: 'Active', s2: 'Inactive', s3: 'Active' });
    const empty = await pushRoster(world, COURSE.id, { members: [] });
    expect(await empty.json()).toEqual({ active: 1, inactive: 4 });
    expect(await statuses()).toEqual({ ada: 'Inactive', alan: 'Active', s1: 'Inactive', s2: 'Inactive', s3: 'Inactive' });
  });

  it('refuses a bad body with 400 naming each wrong field, and writes nothing', async () => {
    const before = await statuses();
    await expectRefused(await pushRoster(world, COURSE.id, '{"members": ['), 400, 'request_invalid', { shape: 'json' });
    const cases: Array<[unknown, string[]]> = [
      ['"a string"', ['body']],
      [[], ['body']],
      [{}, ['members']],
      [{ members: {} }, ['members']],
      [{ members: [{ sub: 'x', roles: ['Learner'] }], extra: 1 }, ['"extra"']],
      [{ members: ['x'] }, ['members[0]']],
      [{ members: [{ roles: ['Learner'] }] }, ['members[0].sub: is required']],
      [{ members: [{ sub: 'x', roles: [] }] }, ['members[0].roles']],
      [{ members: [{ sub: 'x' }] }, ['members[0].roles']],
      [{ members: [{ sub: 'x', roles: ['Learner', 7] }] }, ['members[0].roles[1]']],
      [{ members: [{ sub: 'x', roles: ['Learner'], email: 'not-an-email' }] }, ['members[0].email']],
      [{ members: [{ sub: 'x', roles: ['Learner'], name: 5 }] }, ['members[0].name']],
      [{ members: [{ sub: 'x'.repeat(256), roles: ['Learner'] }] }, ['members[0].sub']],
      [{ members: [{ sub: 'x', roles: ['Learner'], status: 'Inactive' }] }, ['members[0]."status"']],
      [{ members: [{ sub: 'x', roles: ['Learner'] }, { sub: 'y', roles: ['Learner'] }, { sub: 'x', roles: ['Learner'] }] }, ['members[2].sub', 'members[0]']],
      [{ members: [{ sub: 'ada', roles: ['Learner'] }, { sub: '', roles: 'Learner' }] }, ['members[1].sub', 'members[1].roles']],
      [{ members: Array.from({ length: 10_001 }, (_, i) => ({ sub: `u${i}`, roles: ['Learner'] })) }, ['at most 10000']],
    ];
    for (const [body, named] of cases) {
      const res = await pushRoster(world, COURSE.id, body);
      const text = await expectRefused(res, 400, 'roster_invalid', { shape: 'json' });
      const { message } = JSON.parse(text);
      for (const field of named) expect(message, JSON.stringify(body).slice(0, 80)).toContain(field);
    }
    expect(await statuses()).toEqual(before);
  });

  it('refuses a push without the portal’s token (401) and a body over its limit (413)', async () => {
    const res = await fetch(`${world.platform.base_url}/api/v1/contexts/${COURSE.id}/members`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ members: [] }),
    });
    await expectRefused(res, 401, 'portal_token_missing', { shape: 'json' });
    const token = await portalToken(world);
    await pushRoster(world, COURSE.id, { members: [] }, token);
    await expectRefused(await pushRoster(world, COURSE.id, { members: [] }, token), 401, 'portal_token_replayed');
    await expectRefused(await pushRoster(world, COURSE.id, { members: [] }, await portalToken(world, { aud: 'https://elsewhere.example' })), 401, 'portal_token_audience_invalid');
    const huge = JSON.stringify({ members: [{ sub: 'x', roles: ['Learner'], name: 'n'.repeat(5 * 1024 * 1024) }] });
    await expectRefused(await pushRoster(world, COURSE.id, huge), 413, 'request_too_large');
  });
});
