/**
 * Issue 14 item 1: a course-context JWT was a reusable bearer token that could grant roles. A
 * student who got hold of a teacher's link launched as Instructor as often as they liked; the link
 * carried no audience, no user and no single-use id, lived up to an hour (counted from now, not
 * from iat), overrode the admin's custom values and carried a `javascript:` return URL to the tool.
 * Each case below runs the whole launch over real HTTP: IdP, launcher, tool.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM } from '../../src/lti/claims.ts';
import { ROLE } from '../../src/lti/roles.ts';
import { finishLaunch, runLaunch } from '../platform/harness.ts';
import { Browser } from '../support/browser.ts';
import { launchLog, startWorld, type World } from './world.ts';
import { errorPage } from '../support/refused.ts';

const now = () => Math.floor(Date.now() / 1000);
const COURSE = { [CLAIM.context]: { id: 'math-101', title: 'Algebra' } };
const TEACHER_ROLES = { [CLAIM.roles]: [ROLE.Instructor] };

let world: World;

beforeAll(async () => {
  world = await startWorld({ config: { contextMaxLifetimeSeconds: 900 } });
});
afterAll(() => world?.close());

/** A launch as `user` with this context JWT: the tool's payload, or the error page where it stopped. */
async function launchAs(user: string, context: string) {
  const started = await runLaunch(world, { user, context });
  if (!started.toolLogin) return { refused: await errorPage(started.response), payload: undefined };
  const { toolResponse } = await finishLaunch(started.browser, started.toolLogin);
  expect(toolResponse!.status).toBe(200);
  return { refused: undefined, payload: world.tool.launches.at(-1)! };
}

describe('item 1: privileges only from a context JWT bound to its user', () => {
  it('a teacher\'s link with roles and no sub is refused for everyone (context_privilege_unbound), before the IdP', async () => {
    const teacherLink = await world.portal.context({ ...COURSE, ...TEACHER_ROLES });
    const { refused } = await launchAs('alan', teacherLink);
    expect(refused).toMatchObject({ status: 400, code: 'context_privilege_unbound' });
    // Refused at /launch: the student never reaches the IdP, and the tool saw no launch as Instructor.
    expect(world.tool.launches.some((l) => l.sub === 'alan' && (l[CLAIM.roles] as string[]).includes(ROLE.Instructor))).toBe(false);
    const [entry] = await launchLog(world, 'failure_code=context_privilege_unbound');
    expect(entry).toMatchObject({ outcome: 'failure', tool_id: world.toolRecord.id });
  });

  it.each([
    ['role_scope_mentor', { [CLAIM.roleScopeMentor]: ['user-1'] }],
    ['lis', { [CLAIM.lis]: { person_sourcedid: 'SIS-1' } }],
  ])('%s without sub is refused the same way', async (_name, claims) => {
    const res = await new Browser().request(`${world.toolRecord.launch_url}?context=${await world.portal.context({ ...COURSE, ...claims })}`);
    expect(await errorPage(res)).toMatchObject({ status: 400, code: 'context_privilege_unbound' });
  });

  it('a link made for the teacher (sub) gives the teacher the role, and stops the student at the callback (context_user_mismatch)', async () => {
    const forAda = await world.portal.context({ ...COURSE, ...TEACHER_ROLES, sub: 'ada' });
    const stolen = await launchAs('alan', forAda);
    expect(stolen.refused).toMatchObject({ status: 403, code: 'context_user_mismatch' });
    const [entry] = await launchLog(world, 'failure_code=context_user_mismatch');
    expect(entry.steps.map((s: { step: string }) => s.step)).toContain('check_context_user');

    const own = await launchAs('ada', await world.portal.context({ ...COURSE, ...TEACHER_ROLES, sub: 'ada' }));
    expect(own.payload).toMatchObject({ sub: 'ada', [CLAIM.context]: COURSE[CLAIM.context] });
    expect(own.payload![CLAIM.roles]).toEqual([ROLE.Instructor]);
  });

  it('sub is a constraint, never an identity: the tool sees the IdP\'s sub', async () => {
    const { payload } = await launchAs('alan', await world.portal.context({ ...COURSE, sub: 'alan' }));
    expect(payload).toMatchObject({ sub: 'alan' });
    expect(payload![CLAIM.roles]).toEqual([ROLE.Learner]);
  });

  it('a link without privileges and without sub still works for anyone (roles from the IdP alone)', async () => {
    const { payload } = await launchAs('alan', await world.portal.context(COURSE));
    expect(payload![CLAIM.roles]).toEqual([ROLE.Learner]);
  });
});

describe('item 1: audience, lifetime and single use', () => {
  it('a context JWT without aud is refused (context_audience_missing): it would fit every launcher trusting the key', async () => {
    const res = await new Browser().request(`${world.toolRecord.launch_url}?context=${await world.portal.context({ ...COURSE, aud: undefined })}`);
    expect(await errorPage(res)).toMatchObject({ status: 401, code: 'context_audience_missing' });
  });

  it('exp - iat above CONTEXT_MAX_LIFETIME_SECONDS is refused even when exp is near', async () => {
    // Issued 50 minutes ago, 5 minutes left: 55 minutes of life against a 15-minute setting.
    const old = await new SignJWT({ ...COURSE, aud: world.platform.issuer })
      .setProtectedHeader({ alg: 'RS256', kid: 'portal-1' }).setIssuedAt(now() - 3000).setExpirationTime(now() + 300).sign(world.portal.privateKey);
    expect(await errorPage(await new Browser().request(`${world.toolRecord.launch_url}?context=${old}`)))
      .toMatchObject({ status: 401, code: 'context_lifetime_too_long' });
    // 20 minutes ahead with the setting at 15: refused; 10 minutes: accepted.
    const long = await world.portal.context(COURSE, { exp: '20m' });
    expect(await errorPage(await new Browser().request(`${world.toolRecord.launch_url}?context=${long}`)))
      .toMatchObject({ status: 401, code: 'context_lifetime_too_long' });
    expect((await new Browser().request(`${world.toolRecord.launch_url}?context=${await world.portal.context(COURSE, { exp: '10m' })}`)).status).toBe(303);
  });

  it('a jti opens one launch: the second use of the link is refused (context_replayed)', async () => {
    const once = await world.portal.context({ ...COURSE, jti: `link-${Date.now()}` });
    expect((await new Browser().request(`${world.toolRecord.launch_url}?context=${once}`)).status).toBe(303);
    const again = await errorPage(await new Browser().request(`${world.toolRecord.launch_url}?context=${once}`));
    expect(again).toMatchObject({ status: 403, code: 'context_replayed' });
    // A JWT without jti may be opened again (a reload of the same page): single use is the portal's choice.
    const reusable = await world.portal.context(COURSE);
    for (let i = 0; i < 2; i++) expect((await new Browser().request(`${world.toolRecord.launch_url}?context=${reusable}`)).status).toBe(303);
  });
});

describe('item 1: admin custom values win; URLs are http(s)', () => {
  it('a context cannot change an admin-set custom value unless the tool lists the key', async () => {
    const context = await world.portal.context({ ...COURSE, [CLAIM.custom]: { level: 'advanced', unit: 'week-3' } });
    const strict = await launchAs('alan', context);
    expect(strict.payload![CLAIM.custom]).toEqual({ level: 'intro', unit: 'week-3' });

    const patched = await world.admin(`/tools/${world.toolRecord.id}`, { method: 'PATCH', body: { context_overridable_custom: ['level'] } });
    expect(patched.status).toBe(200);
    expect((await patched.json()).context_overridable_custom).toEqual(['level']);
    try {
      const lenient = await launchAs('alan', await world.portal.context({ ...COURSE, [CLAIM.custom]: { level: 'advanced' } }));
      expect(lenient.payload![CLAIM.custom]).toEqual({ level: 'advanced' });
    } finally {
      await world.admin(`/tools/${world.toolRecord.id}`, { method: 'PATCH', body: { context_overridable_custom: [] } });
    }
  });

  it('the overridable keys are checked on save', async () => {
    const bad = await world.admin(`/tools/${world.toolRecord.id}`, { method: 'PATCH', body: { context_overridable_custom: [1, 2] } });
    expect(bad.status).toBe(422);
    expect((await bad.json()).fields).toHaveProperty('context_overridable_custom');
    const tooMany = await world.admin(`/tools/${world.toolRecord.id}`, { method: 'PATCH', body: { context_overridable_custom: Array.from({ length: 51 }, (_, i) => `k${i}`) } });
    expect(tooMany.status).toBe(422);
  });

  it.each(['javascript:alert(document.domain)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox'])(
    'a return_url of %s is refused (context_url_invalid), and never reaches the tool', async (url) => {
      const before = world.tool.launches.length;
      const context = await world.portal.context({ ...COURSE, [CLAIM.launchPresentation]: { return_url: url } });
      const res = await new Browser().request(`${world.toolRecord.launch_url}?context=${encodeURIComponent(context)}`);
      expect(await errorPage(res)).toMatchObject({ status: 400, code: 'context_url_invalid' });
      expect(world.tool.launches.length).toBe(before);
    },
  );

  it('an https return_url reaches the tool as given', async () => {
    const { payload } = await launchAs('alan', await world.portal.context({ ...COURSE, [CLAIM.launchPresentation]: { return_url: 'https://portal.example/course/42' } }));
    expect(payload![CLAIM.launchPresentation]).toMatchObject({ return_url: 'https://portal.example/course/42', document_target: 'window' });
  });
});
