import { describe, expect, it } from 'vitest';
import { ROLE } from '../../../src/lti/roles.ts';
import { ConsoleClient } from '../../support/adminClient.ts';
import { DIALECTS } from '../../support/db.ts';
import { expectRefused } from '../../support/refused.ts';
import { useLauncherWorld, type LauncherWorld } from '../harness.ts';
import { AGS_SCOPES, addTool, agsClaimOf, createLineItem, firstTool, launch, postScore, tokenFor, type AgsTool } from './agsWorld.ts';
import { portalToken, pushRoster } from './nrpsSupport.ts';

const ALL = Object.values(AGS_SCOPES);
const HOSTILE = '<img src=x onerror=alert(1)>';
const ESCAPED = '&lt;img src=x onerror=alert(1)&gt;';

describe.each(DIALECTS)('the admin’s courses, rosters and grades on %s', (dialect) => {
  let world: LauncherWorld;
  useLauncherWorld(dialect, (w) => (world = w));
  let toolB: AgsTool & { close(): Promise<void> };
  let quiz: Record<string, any>;
  let essay: Record<string, any>;

  const api = (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    world.admin(`/platforms/${world.platform.id}${path}`, init);
  const portalGet = async (path: string) =>
    fetch(`${world.platform.base_url}/api/v1/contexts/${path}`, { headers: { authorization: `Bearer ${await portalToken(world)}` } });

  /** Two tools grade in "physics": Alan only launched there, Pupil Seven is on the roster with a hostile name. */
  async function gradeTwoTools() {
    const toolA = firstTool(world);
    toolB = await addTool(world, 'grades-tool-b', { name: 'Lab Notebook' });
    const container = agsClaimOf(await launch(world, toolA, 'alan', 'physics', 'quiz-link'))!.lineitems;
    await launch(world, toolB, 'alan', 'physics');
    const pushed = await api('/contexts/physics/members', {
      method: 'PUT',
      body: { members: [{ sub: 'ada', name: 'Ada Lovelace', email: 'ada@school.example', roles: ['Instructor'] }, { sub: 'pupil-7', name: HOSTILE, roles: ['Learner'] }] },
    });
    expect(pushed.status, await pushed.clone().text()).toBe(200);
    expect(await pushed.json()).toEqual({ active: 3, inactive: 0 });
    const tokenA = await tokenFor(world, toolA, ALL);
    const tokenB = await tokenFor(world, toolB, ALL);
    quiz = await createLineItem(container, tokenA, { label: 'Quiz 1', scoreMaximum: 20, resourceLinkId: 'quiz-link' });
    essay = await createLineItem(container, tokenB, { label: HOSTILE, scoreMaximum: 100 });
    const score = (userId: string, scoreGiven: number, scoreMaximum: number, timestamp: string) =>
      ({ userId, scoreGiven, scoreMaximum, timestamp, activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    expect((await postScore(quiz.id, tokenA, { ...score('alan', 17.5, 20, '2026-12-03T09:15:30.123Z'), comment: HOSTILE })).status).toBe(200);
    expect((await postScore(essay.id, tokenB, score('pupil-7', 80, 100, '2026-12-03T10:00:00Z'))).status).toBe(200);
    expect((await postScore(essay.id, tokenB, score('alan', 64, 100, '2026-12-03T10:05:00Z'))).status).toBe(200);
  }

  it('asks for Basic credentials on every endpoint, and names an unknown platform with 404', async () => {
    await gradeTwoTools();
    const base = `${world.launcher.url}/admin/api/v1/platforms/${world.platform.id}/contexts`;
    const itemId = quiz.id.split('/').pop();
    for (const [method, path] of [['GET', ''], ['GET', '/physics/members'], ['PUT', '/physics/members'], ['GET', '/physics/line_items'], ['GET', `/physics/line_items/${itemId}/results`]]) {
      const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'PUT' ? '{"members":[]}' : undefined });
      expect(res.headers.get('www-authenticate'), `${method} ${path}`).toMatch(/^Basic/);
      await expectRefused(res, 401, 'admin_unauthorized', { shape: 'json' });
    }
    await expectRefused(await world.admin('/platforms/no-such-platform/contexts'), 404, 'platform_not_found', { shape: 'json' });
    await expectRefused(await world.admin('/platforms/no-such-platform/contexts/physics/line_items'), 404, 'platform_not_found');
    await expectRefused(await world.admin('/platforms/no-such-platform/contexts/physics/members', { method: 'PUT', body: { members: [] } }), 404, 'platform_not_found');
  });

  it('lists the platform’s contexts with their title, member and line item counts and last activity', async () => {
    await launch(world, firstTool(world), 'grace', 'chemistry');
    const res = await api('/contexts');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as any;
    expect(body.total).toBe(2);
    // The most recently active first: Grace launched in chemistry after physics was graded.
    expect(body.contexts.map((c: any) => c.context_id)).toEqual(['chemistry', 'physics']);
    expect(body.contexts[1]).toEqual({
      context_id: 'physics', title: 'Course physics', label: 'physics', member_count: 3, line_item_count: 2,
      last_activity: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(body.contexts[0]).toMatchObject({ member_count: 1, line_item_count: 0 });
    expect(((await (await api('/contexts?limit=1')).json()) as any)).toMatchObject({ total: 2, contexts: [{ context_id: 'chemistry' }] });
    await expectRefused(await api('/contexts?limit=0'), 400, 'request_invalid', { shape: 'json' });
    await expectRefused(await api('/contexts?limit=abc'), 400, 'request_invalid');
    await expectRefused(await api('/contexts?limit=1&limit=2'), 400, 'query_param_repeated');
  });

  it('shows every field of the members with their status and source, page by page', async () => {
    const res = await api('/contexts/physics/members');
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.next).toBeNull();
    expect(body.members).toEqual([
      { user_id: 'ada', name: 'Ada Lovelace', given_name: null, family_name: null, middle_name: null, email: 'ada@school.example', picture: null, roles: [ROLE.Instructor], status: 'Active', source: ['roster'], updated_at: expect.any(String) },
      expect.objectContaining({ user_id: 'alan', name: 'Alan Turing', status: 'Active', source: ['launch'], roles: [ROLE.Learner] }),
      expect.objectContaining({ user_id: 'pupil-7', name: HOSTILE, status: 'Active', source: ['roster'] }),
    ]);
    const first = (await (await api('/contexts/physics/members?limit=2')).json()) as any;
    expect(first.members.map((m: any) => m.user_id)).toEqual(['ada', 'alan']);
    const rest = (await (await world.admin(first.next.replace('/admin/api/v1', ''))).json()) as any;
    expect(rest).toEqual({ members: [expect.objectContaining({ user_id: 'pupil-7' })], next: null });
    expect(await (await api('/contexts/nowhere/members')).json()).toEqual({ members: [], next: null });
    await expectRefused(await api('/contexts/physics/members?limit=1001'), 400, 'request_invalid');
  });

  it('answers the line items and results exactly as the portal’s API does', async () => {
    const items = await (await api('/contexts/physics/line_items')).json();
    expect(items).toEqual(await (await portalGet('physics/line_items')).json());
    expect(items).toEqual([
      expect.objectContaining({ id: quiz.id.split('/').pop(), url: quiz.id, label: 'Quiz 1', score_maximum: 20, tool_client_id: world.toolRecord.client_id }),
      expect.objectContaining({ id: essay.id.split('/').pop(), label: HOSTILE, tool_client_id: 'grades-tool-b' }),
    ]);
    const essayId = essay.id.split('/').pop();
    const results = await (await api(`/contexts/physics/line_items/${essayId}/results`)).json();
    expect(results).toEqual(await (await portalGet(`physics/line_items/${essayId}/results`)).json());
    expect(results).toEqual([
      expect.objectContaining({ user_id: 'alan', score_given: 64, score_maximum: 100 }),
      expect.objectContaining({ user_id: 'pupil-7', score_given: 80 }),
    ]);
    await expectRefused(await api(`/contexts/chemistry/line_items/${essayId}/results`), 404, 'line_item_not_found', { shape: 'json' });
    await expectRefused(await api('/contexts/physics/line_items/nothing/results'), 404, 'line_item_not_found');
    expect(await (await api('/contexts/nowhere/line_items')).json()).toEqual([]);
  });

  it('takes the portal’s roster push: same body, same answer, bad fields named with 400, cross-site writes refused', async () => {
    const res = await api('/contexts/physics/members', { method: 'PUT', body: { members: [{ sub: 'ada', roles: ['Instructor'] }] } });
    expect(await res.json()).toEqual({ active: 2, inactive: 1 });
    const members = ((await (await api('/contexts/physics/members')).json()) as any).members;
    expect(Object.fromEntries(members.map((m: any) => [m.user_id, m.status]))).toEqual({ ada: 'Active', alan: 'Active', 'pupil-7': 'Inactive' });
    const bad = await api('/contexts/physics/members', { method: 'PUT', body: { members: [{ sub: 'x', roles: [] }, { roles: ['Learner'] }] } });
    const text = await expectRefused(bad, 400, 'roster_invalid', { shape: 'json' });
    expect(text).toContain('members[0].roles');
    expect(text).toContain('members[1].sub');
    await expectRefused(await api('/contexts/physics/members', { method: 'PUT', body: ['x'] }), 400, 'roster_invalid');
    const crossSite = await api('/contexts/physics/members', { method: 'PUT', body: { members: [] }, headers: { 'sec-fetch-site': 'cross-site' } });
    await expectRefused(crossSite, 403, 'csrf_cross_site', { shape: 'json' });
    const form = await fetch(`${world.launcher.url}/admin/api/v1/platforms/${world.platform.id}/contexts/physics/members`, {
      method: 'PUT', headers: { authorization: 'Basic ' + Buffer.from('admin:test-admin-password').toString('base64'), 'content-type': 'text/plain' }, body: '{"members":[]}',
    });
    await expectRefused(form, 415, 'request_not_json');
    expect(Object.fromEntries((((await (await api('/contexts/physics/members')).json()) as any).members).map((m: any) => [m.user_id, m.status])))
      .toEqual({ ada: 'Active', alan: 'Active', 'pupil-7': 'Inactive' });
  });

  it('shows the console’s courses and a gradebook of both tools’ scores, escaping a hostile label and name', async () => {
    const client = new ConsoleClient(world.launcher.url);
    const platformPage = await client.get(`/admin/platforms/${world.platform.id}`);
    expect(platformPage.html).toContain(`href="/admin/platforms/${world.platform.id}/contexts"`);
    const courses = await client.get(`/admin/platforms/${world.platform.id}/contexts`);
    expect(courses.status).toBe(200);
    expect(courses.html).toContain(`href="/admin/platforms/${world.platform.id}/contexts/physics"`);
    expect(courses.html).toContain('Course physics');

    const book = await client.get(`/admin/platforms/${world.platform.id}/contexts/physics`);
    expect(book.status).toBe(200);
    expect(book.html).toContain('<h1>Gradebook: Course physics</h1>');
    // Columns: each line item with its tool and maximum; the hostile label is text, never markup.
    expect(book.html).toContain('Quiz 1');
    expect(book.html).toContain('Course Chat');
    expect(book.html).toContain('Lab Notebook');
    expect(book.html).toContain('max 20');
    expect(book.html).not.toContain(HOSTILE);
    expect(book.html).toContain(ESCAPED);
    const rows = Object.fromEntries([...book.html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [/<code>([^<]*)<\/code>/.exec(m[1]!)?.[1], m[1]!]));
    // Alan only launched (not on the roster): both tools' scores; the comment is in the cell's title, escaped.
    expect(rows.alan).toMatch(/17\.5 \/ 20/);
    expect(rows.alan).toMatch(/64 \/ 100/);
    expect(rows.alan).toContain('2026-12-03 09:15');
    expect(rows.alan).toContain(`comment: ${ESCAPED}`);
    expect(rows.alan).toContain('from a launch');
    // Pupil Seven left the roster (Inactive) and keeps the grade; Ada has no score: empty cells.
    expect(rows['pupil-7']).toContain('Inactive');
    expect(rows['pupil-7']).toMatch(/80 \/ 100/);
    expect(rows.ada).not.toMatch(/\d \/ \d/);
    expect(rows.ada.match(/<td class="score"><\/td>/g)).toHaveLength(2);
  });

  it('pages a large course with “showing N of M”, and refuses a bad page number with a page', async () => {
    const roster = Array.from({ length: 150 }, (_, i) => ({ sub: `s${String(i).padStart(3, '0')}`, roles: ['Learner'] }));
    expect((await pushRoster(world, 'physics', { members: [{ sub: 'ada', roles: ['Instructor'] }, ...roster] })).status).toBe(200);
    const client = new ConsoleClient(world.launcher.url);
    const first = await client.get(`/admin/platforms/${world.platform.id}/contexts/physics`);
    // 151 pushed, Alan from his launches, Pupil Seven with a result: 153 people.
    expect(first.html).toContain('Showing people 1–100 of 153.');
    expect(first.html).toContain(`href="/admin/platforms/${world.platform.id}/contexts/physics?page=2"`);
    const second = await client.get(`/admin/platforms/${world.platform.id}/contexts/physics?page=2`);
    expect(second.html).toContain('Showing people 101–153 of 153.');
    expect(second.html).toContain('<code>s149</code>');
    expect(second.html).toContain('Previous 100');
    const bad = await client.get(`/admin/platforms/${world.platform.id}/contexts/physics?page=zero`);
    expect(bad.status).toBe(400);
    expect(bad.response.headers.get('content-type')).toContain('text/html');
    expect(bad.html).toContain('request_invalid');
    const tooLong = await client.get(`/admin/platforms/${world.platform.id}/contexts/${'x'.repeat(256)}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.html).toContain('request_invalid');
    await expectRefused(await api(`/contexts/${'x'.repeat(256)}/line_items`), 400, 'request_invalid', { shape: 'json' });
    const unknown = await client.get('/admin/platforms/no-such-platform/contexts');
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain('platform_not_found');
    await toolB.close();
  });
});
