/**
 * The gateway's app API (issue 17 item 4) over real HTTP on both databases: an LMS launches the app
 * (FakeLms), the app calls the gateway's URLs of its hand-off with its API key (plain fetch), and
 * the gateway calls an LMS stand-in with Canvas- and Moodle-shaped answers, its tokens from a token
 * endpoint that verifies each client assertion against the gateway's JWKS URL.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLAIM } from '../../../src/lti/claims.ts';
import { AGS_SCOPES, NRPS_SCOPE } from '../../../src/lti/services/scopes.ts';
import { Browser } from '../../support/browser.ts';
import { DIALECTS } from '../../support/db.ts';
import { launch, useGateway, type TestApp } from '../support/gatewaySetup.ts';
import { LmsTokenEndpoint, canvasAnswer, moodleAnswer } from '../support/lmsTokenEndpoint.ts';
import { LmsStandIn, type SeenRequest } from './lmsStandIn.ts';

const ALL_AGS = [AGS_SCOPES.lineItem, AGS_SCOPES.lineItemReadOnly, AGS_SCOPES.resultReadOnly, AGS_SCOPES.score];
const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';
const CANVAS = '/api/lti/courses/1';
const MOODLE = '/mod/lti/services.php';

function members(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({ user_id: `u${from + i}`, name: `Student ${from + i}`, email: `s${from + i}@example.edu`, roles: [LEARNER] }));
}

describe.each(DIALECTS)('the app API against an LMS stand-in (%s)', (dialect) => {
  const world = useGateway({
    dialect,
    apps: { chatbot: { name: 'Chatbot', slug: 'chatbot' }, other: { name: 'Other app', slug: 'other-app', app_url: 'http://127.0.0.1:9/other' } },
  });
  let lms: LmsStandIn;
  let tokens: LmsTokenEndpoint;

  beforeAll(async () => {
    lms = await LmsStandIn.start();
    tokens = await LmsTokenEndpoint.start(`${world.gateway.url}/.well-known/jwks.json`, world.lms.clientId);
    tokens.answer = (scopes) => canvasAnswer(scopes, 'token-1');
    const patched = await world.gateway.admin('PATCH', `/registrations/${world.registration.id}`, { token_endpoint: tokens.tokenUrl });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    canvasCourse(CANVAS);
  });
  afterAll(async () => {
    await lms?.close();
    await tokens?.close();
  });
  beforeEach(() => {
    lms.requests.length = 0;
  });
  afterEach(async () => {
    // Each test asks for its own token: a granted subset or a refusal of one test stays there.
    await world.gateway.services.db.deleteFrom('gateway_access_tokens').execute();
    tokens.answer = (scopes) => canvasAnswer(scopes, 'token-1');
    expect(tokens.problems).toEqual([]);
  });

  /** Canvas's shapes under `base`: 60 members in pages of 50, line items 7 and 8, a created item 9, scores and results of 7. */
  function canvasCourse(base: string): void {
    lms.on('GET', `${base}/names_and_roles`, (req) => {
      const page = Number(req.url.searchParams.get('page') ?? '1');
      const pageUrl = (p: number) => `${lms.url}${base}/names_and_roles?page=${p}&per_page=50`;
      const link = [`<${pageUrl(page)}>; rel="current"`, ...(page === 1 ? [`<${pageUrl(2)}>; rel="next"`] : []), `<${pageUrl(1)}>; rel="first"`, `<${pageUrl(2)}>; rel="last"`];
      return {
        headers: { link: link.join(','), 'content-type': 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json' },
        body: { id: req.url.href, context: { id: 'ctx-1', label: 'BIO101', title: 'Biology 101' }, members: page === 1 ? members(1, 50) : members(51, 10) },
      };
    });
    const item = (id: number, extra: Record<string, unknown>) => ({ id: `${lms.url}${base}/line_items/${id}`, ...extra });
    lms.on('GET', `${base}/line_items`, () => ({
      body: [item(7, { label: 'Quiz', scoreMaximum: 10, resourceLinkId: 'link-1', tag: 'quiz' }), item(8, { label: 'Essay', scoreMaximum: 100, resourceId: 'essay-1' })],
    }));
    lms.on('POST', `${base}/line_items`, (req) => ({ body: item(9, JSON.parse(req.body)) }));
    lms.on('GET', `${base}/line_items/9`, () => ({ body: item(9, { label: 'Chat participation', scoreMaximum: 10, tag: 'participation' }) }));
    lms.on('PUT', `${base}/line_items/9`, (req) => ({ body: { ...JSON.parse(req.body), id: `${lms.url}${base}/line_items/9` } }));
    lms.on('DELETE', `${base}/line_items/9`, () => ({ status: 204 }));
    lms.on('GET', `${base}/line_items/7`, () => ({ body: item(7, { label: 'Quiz', scoreMaximum: 10, resourceLinkId: 'link-1', tag: 'quiz' }) }));
    lms.on('PUT', `${base}/line_items/7`, (req) => ({ body: { ...JSON.parse(req.body), id: `${lms.url}${base}/line_items/7` } }));
    lms.on('POST', `${base}/line_items/7/scores`, () => ({ body: { resultUrl: `${lms.url}${base}/line_items/7/results/4` } }));
    lms.on('GET', `${base}/line_items/7/results`, () => ({
      body: [{ id: `${lms.url}${base}/line_items/7/results/4`, userId: 'u1', resultScore: 8, resultMaximum: 10, comment: 'Well argued' }, { userId: 'u2' }],
    }));
  }

  const canvasClaims = (contextId: string, base = CANVAS, scopes: string[] = ALL_AGS) => ({
    [CLAIM.context]: { id: contextId, label: 'BIO101', title: 'Biology 101' },
    [CLAIM.ags]: { scope: scopes, lineitems: `${lms.url}${base}/line_items`, lineitem: `${lms.url}${base}/line_items/7` },
    [CLAIM.nrps]: { context_memberships_url: `${lms.url}${base}/names_and_roles`, service_versions: ['2.0'] },
  });

  /** A launch with these claims, redeemed by the app: its hand-off. */
  async function handOff(claims: Record<string, unknown>, app: TestApp = world.apps.chatbot): Promise<Record<string, any>> {
    const run = await launch(new Browser(), world.lms, world.gateway, { targetLinkUri: app.launch_url, tweaks: { claims } });
    expect(run.launch!.status, run.launchBody?.slice(0, 600)).toBe(303);
    const code = new URL(run.launch!.headers.get('location')!).searchParams.get('launch_code')!;
    const redeemed = await fetch(`${world.gateway.url}/api/v1/launches/${code}`, { headers: { authorization: `Bearer ${app.api_key}` } });
    expect(redeemed.status).toBe(200);
    return (await redeemed.json()) as Record<string, any>;
  }

  /** The app's call: its API key as a bearer token, JSON in and out. */
  async function call(url: string, init: { method?: string; body?: unknown; key?: string } = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const headers: Record<string, string> = { authorization: `Bearer ${init.key ?? world.apps.chatbot.api_key}` };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body) });
    const text = await response.text();
    return { status: response.status, body: text === '' ? null : JSON.parse(text), headers: response.headers };
  }

  const serviceCalls = () => lms.requests.length;
  const lmsBody = (r: SeenRequest) => JSON.parse(r.body) as Record<string, unknown>;

  describe('with Canvas-shaped answers', () => {
    it('reads the whole roster through the members URL, every page, with the role filter passed on', async () => {
      const { services } = await handOff(canvasClaims('canvas-roster'));
      const all = await call(services.nrps.members_url);
      expect(all.status).toBe(200);
      expect(all.headers.get('cache-control')).toBe('no-store');
      expect(all.body.context).toEqual({ id: 'ctx-1', label: 'BIO101', title: 'Biology 101' });
      expect(all.body.truncated).toBe(false);
      expect(all.body.members).toHaveLength(60);
      expect(all.body.members[0]).toEqual({
        user_id: 'u1', name: 'Student 1', given_name: null, family_name: null, email: 's1@example.edu', picture: null, roles: [LEARNER], role_names: ['Learner'], status: 'Active',
      });
      expect(lms.seen(`${CANVAS}/names_and_roles`).map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-1']);

      lms.requests.length = 0;
      expect((await call(`${services.nrps.members_url}?role=Learner`)).status).toBe(200);
      expect(lms.seen(`${CANVAS}/names_and_roles`)[0]!.url.searchParams.get('role')).toBe('Learner');
    });

    it('lists, creates, reads, replaces and deletes line items under the gateway’s own URLs', async () => {
      const { services } = await handOff(canvasClaims('canvas-items'));
      const { line_items_url: itemsUrl, line_item_url: ownItemUrl } = services.ags;
      const listed = await call(`${itemsUrl}?tag=quiz`);
      expect(listed.status).toBe(200);
      expect(lms.seen(`${CANVAS}/line_items`)[0]!.url.searchParams.get('tag')).toBe('quiz');
      expect(listed.body.truncated).toBe(false);
      expect(listed.body.line_items[0]).toEqual({
        url: ownItemUrl, label: 'Quiz', score_maximum: 10, resource_id: null, tag: 'quiz', resource_link_id: 'link-1', start_date_time: null, end_date_time: null,
      });
      const essayUrl: string = listed.body.line_items[1].url;
      expect(essayUrl.startsWith(`${itemsUrl}/`)).toBe(true);
      expect(JSON.stringify(listed.body)).not.toContain(lms.url);
      // The same LMS item keeps its gateway URL.
      expect((await call(itemsUrl)).body.line_items[1].url).toBe(essayUrl);

      const created = await call(itemsUrl, { method: 'POST', body: { label: 'Chat participation', score_maximum: 10, tag: 'participation', resource_link_id: 'link-1', end_date_time: '2026-12-24T12:00:00Z' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ label: 'Chat participation', score_maximum: 10, tag: 'participation', resource_link_id: 'link-1', end_date_time: '2026-12-24T12:00:00Z' });
      expect(created.body.url.startsWith(`${itemsUrl}/`)).toBe(true);
      expect(created.headers.get('location')).toBe(created.body.url);
      const post = lms.seen(`${CANVAS}/line_items`).find((r) => r.method === 'POST')!;
      expect(post.headers['content-type']).toBe('application/vnd.ims.lis.v2.lineitem+json');
      expect(lmsBody(post)).toEqual({ label: 'Chat participation', scoreMaximum: 10, tag: 'participation', resourceLinkId: 'link-1', endDateTime: '2026-12-24T12:00:00Z' });

      expect((await call(created.body.url)).body).toMatchObject({ url: created.body.url, label: 'Chat participation' });
      const replaced = await call(created.body.url, { method: 'PUT', body: { ...created.body, label: 'Participation' } });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ url: created.body.url, label: 'Participation', score_maximum: 10 });
      expect(lmsBody(lms.seen(`${CANVAS}/line_items/9`).find((r) => r.method === 'PUT')!)).toMatchObject({ id: `${lms.url}${CANVAS}/line_items/9`, label: 'Participation', scoreMaximum: 10 });
      const deleted = await call(created.body.url, { method: 'DELETE' });
      expect(deleted.status).toBe(204);
      expect(lms.seen(`${CANVAS}/line_items/9`).map((r) => r.method)).toEqual(['GET', 'PUT', 'DELETE']);
    });

    it('posts a score with the gateway’s timestamp and reads the results', async () => {
      const { services } = await handOff(canvasClaims('canvas-scores'));
      const before = Date.now();
      const sent = await call(`${services.ags.line_item_url}/scores`, { method: 'POST', body: { user_id: 'u1', score_given: 8, score_maximum: 10, comment: 'Well argued', activity_progress: 'Completed', grading_progress: 'FullyGraded' } });
      expect(sent.status).toBe(200);
      expect(sent.body).toMatchObject({ ok: true, lms_status: 200, lms_answer: { resultUrl: `${lms.url}${CANVAS}/line_items/7/results/4` } });
      const score = lmsBody(lms.seen(`${CANVAS}/line_items/7/scores`)[0]!);
      expect(score).toEqual({ userId: 'u1', scoreGiven: 8, scoreMaximum: 10, comment: 'Well argued', activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: sent.body.timestamp });
      expect(sent.body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(sent.body.timestamp)).toBeGreaterThanOrEqual(before);
      // A second score for the same user and item gets a later timestamp, even within the same millisecond.
      const again = await call(`${services.ags.line_item_url}/scores`, { method: 'POST', body: { user_id: 'u1', activity_progress: 'Completed', grading_progress: 'Pending' } });
      expect(Date.parse(again.body.timestamp)).toBeGreaterThan(Date.parse(sent.body.timestamp));

      const results = await call(`${services.ags.line_item_url}/results?user_id=u1`);
      expect(results.status).toBe(200);
      expect(lms.seen(`${CANVAS}/line_items/7/results`)[0]!.url.searchParams.get('user_id')).toBe('u1');
      expect(results.body).toEqual({
        results: [{ user_id: 'u1', result_score: 8, result_maximum: 10, comment: 'Well argued' }, { user_id: 'u2', result_score: null, result_maximum: 1, comment: null }],
        truncated: false,
      });
    });
  });

  describe('with Moodle-shaped answers', () => {
    const base = `${MOODLE}/2/lineitems`;
    beforeAll(() => {
      lms.on('GET', `${MOODLE}/CourseSection/2/bindings/3/memberships`, (req) => {
        const second = req.url.searchParams.get('limitfrom') === '2';
        // Moodle's Link header uses typographic quotes, sent as UTF-8.
        const headers: Record<string, string> = second ? {} : { link: `<${lms.url}${MOODLE}/CourseSection/2/bindings/3/memberships?limitfrom=2&limitnum=2>; rel=“next”` };
        return { headers, body: { id: req.url.href, context: { id: '2', label: 'BIO', title: 'Biology' }, members: second ? members(3, 1) : members(1, 2) } };
      });
      lms.on('GET', base, (req) => ({ body: [{ id: `${lms.url}${base}/7/lineitem?type_id=${req.url.searchParams.get('type_id')}`, label: 'Chat', scoreMaximum: 10 }] }));
      lms.on('POST', `${base}/7/lineitem/scores`, () => ({ status: 200, body: '' }));
      lms.on('GET', `${base}/7/lineitem/results`, () => ({ body: [{ id: 'r1', userId: 'u3', resultScore: 7, resultMaximum: 10 }] }));
    });
    const moodleClaims = (contextId: string) => ({
      [CLAIM.context]: { id: contextId },
      [CLAIM.ags]: { scope: [AGS_SCOPES.lineItem, AGS_SCOPES.resultReadOnly, AGS_SCOPES.score], lineitems: `${lms.url}${base}?type_id=3`, lineitem: `${lms.url}${base}/7/lineitem?type_id=3` },
      [CLAIM.nrps]: { context_memberships_url: `${lms.url}${MOODLE}/CourseSection/2/bindings/3/memberships`, service_versions: ['2.0'] },
    });

    it('follows typographic next links, keeps the line item’s query string, and takes a lowercase bearer token', async () => {
      tokens.answer = (scopes) => moodleAnswer(scopes, 'token-1');
      const { services } = await handOff(moodleClaims('moodle-course'));
      expect(services.ags.line_item_url).not.toContain('?');
      const roster = await call(services.nrps.members_url);
      expect(roster.status).toBe(200);
      expect(roster.body.members.map((m: any) => m.user_id)).toEqual(['u1', 'u2', 'u3']);

      const listed = await call(services.ags.line_items_url);
      // The launch's own line item and the listed one are the same LMS item: one gateway URL.
      expect(listed.body.line_items.map((i: any) => i.url)).toEqual([services.ags.line_item_url]);
      expect(lms.seen(base)[0]!.url.searchParams.get('type_id')).toBe('3');

      const sent = await call(`${services.ags.line_item_url}/scores`, { method: 'POST', body: { user_id: 'u3', score_given: 7, score_maximum: 10, activity_progress: 'Completed', grading_progress: 'FullyGraded' } });
      expect(sent.status).toBe(200);
      expect(sent.body).toMatchObject({ ok: true, lms_status: 200, lms_answer: null });
      expect(lms.seen(`${base}/7/lineitem/scores`)[0]!.path).toBe(`${base}/7/lineitem/scores?type_id=3`);
      const results = await call(`${services.ags.line_item_url}/results`);
      expect(results.body.results).toEqual([{ user_id: 'u3', result_score: 7, result_maximum: 10, comment: null }]);
      expect(lms.seen(`${base}/7/lineitem/results`)[0]!.path).toBe(`${base}/7/lineitem/results?type_id=3`);
    });
  });

  describe('refusals', () => {
    it('refuses a wrong or missing API key with 401 and calls no LMS', async () => {
      const { services } = await handOff(canvasClaims('refuse-key'));
      const asked = tokens.requests.length;
      for (const key of ['lgw_wrong', '']) {
        const answer = await call(services.nrps.members_url, { key });
        expect(answer.status).toBe(401);
        expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="lti-gateway"');
        expect(answer.body).toEqual({ error: 'api_key_invalid', message: expect.any(String), request_id: expect.any(String) });
      }
      const score = await call(`${services.ags.line_item_url}/scores`, { method: 'POST', key: 'lgw_wrong', body: { user_id: 'u1', activity_progress: 'Completed', grading_progress: 'FullyGraded' } });
      expect(score.status).toBe(401);
      expect(serviceCalls()).toBe(0);
      expect(tokens.requests.length).toBe(asked);
      const refused = await world.gateway.services.metrics.refused.get();
      expect(refused.values.find((v) => v.labels.code === 'api_key_invalid' && v.labels.role === 'tool')?.value).toBeGreaterThanOrEqual(3);
    });

    it('answers 403 service_context_forbidden, alike, for another app’s context and for one that does not exist', async () => {
      const { services } = await handOff(canvasClaims('refuse-context'));
      const other = world.apps.other.api_key;
      const contexts = `${world.gateway.url}/api/v1/contexts`;
      const answers = [
        await call(services.nrps.members_url, { key: other }),
        await call(`${services.ags.line_item_url}/scores`, { method: 'POST', key: other, body: { user_id: 'u1', activity_progress: 'Completed', grading_progress: 'FullyGraded' } }),
        await call(`${contexts}/AAAAAAAAAAAAAAAAAAAAAA/members`, { key: other }),
        await call(`${contexts}/AAAAAAAAAAAAAAAAAAAAAA/line_items`),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(403);
        expect({ ...answer.body, request_id: null }).toEqual({ ...answers[0]!.body, request_id: null });
      }
      expect(answers[0]!.body.error).toBe('service_context_forbidden');
      expect(serviceCalls()).toBe(0);
      // The app is known: its refusals are counted with their code and written to the launch log.
      const launches = await world.gateway.services.metrics.launches.get();
      expect(launches.values.find((v) => v.labels.code === 'service_context_forbidden')?.value).toBeGreaterThanOrEqual(4);
      const failures = (await world.gateway.admin('GET', '/launches?outcome=failure')).body.launches;
      expect(failures.some((l: any) => l.steps.some((s: any) => s.step === 'find_service_context' && s.code === 'service_context_forbidden'))).toBe(true);
    });

    it('answers 403 service_scope_not_granted without any call to the LMS when the launch did not offer the service', async () => {
      const claims = canvasClaims('refuse-scope', CANVAS, [AGS_SCOPES.score]);
      delete (claims as Record<string, unknown>)[CLAIM.nrps];
      const { services } = await handOff(claims);
      expect(services.nrps).toBeUndefined();
      const asked = tokens.requests.length;
      const memberUrl = services.ags.line_items_url.replace(/\/line_items$/, '/members');
      const refusals = [
        await call(memberUrl),
        await call(services.ags.line_items_url, { method: 'POST', body: { label: 'New', score_maximum: 5 } }),
        await call(`${services.ags.line_item_url}/results`),
      ];
      for (const answer of refusals) expect({ status: answer.status, error: answer.body.error }).toEqual({ status: 403, error: 'service_scope_not_granted' });
      expect(serviceCalls()).toBe(0);
      expect(tokens.requests.length).toBe(asked);
      // The scope it did offer works.
      expect((await call(`${services.ags.line_item_url}/scores`, { method: 'POST', body: { user_id: 'u1', activity_progress: 'Completed', grading_progress: 'FullyGraded' } })).status).toBe(200);
    });

    it('answers 403 service_scope_not_granted, before the service is called, when the LMS grants a subset without the scope', async () => {
      const { services } = await handOff(canvasClaims('refuse-subset'));
      tokens.answer = () => moodleAnswer([AGS_SCOPES.score], 'token-1');
      const created = await call(services.ags.line_items_url, { method: 'POST', body: { label: 'New', score_maximum: 5 } });
      expect(created.status).toBe(403);
      expect(created.body.error).toBe('service_scope_not_granted');
      expect(serviceCalls()).toBe(0);
      // `lineitem` granted covers reading line items.
      tokens.answer = () => moodleAnswer([AGS_SCOPES.lineItem], 'token-1');
      await world.gateway.services.db.deleteFrom('gateway_access_tokens').execute();
      expect((await call(services.ags.line_items_url)).status).toBe(200);
    });

    it('answers 404 service_line_item_unknown for a line item id that is not this context’s', async () => {
      const first = await handOff(canvasClaims('items-a'));
      const second = await handOff(canvasClaims('items-b'));
      const foreignItem = first.services.ags.line_item_url.split('/').pop();
      for (const url of [`${second.services.ags.line_items_url}/${foreignItem}`, `${second.services.ags.line_items_url}/nothing/results`]) {
        const answer = await call(url);
        expect({ status: answer.status, error: answer.body.error }).toEqual({ status: 404, error: 'service_line_item_unknown' });
      }
      expect(serviceCalls()).toBe(0);
    });

    it('answers 400 app_field_invalid naming the field, before any call to the LMS', async () => {
      const { services } = await handOff(canvasClaims('refuse-fields'));
      const asked = tokens.requests.length;
      const items = services.ags.line_items_url;
      const scores = `${services.ags.line_item_url}/scores`;
      const score = { user_id: 'u1', activity_progress: 'Completed', grading_progress: 'FullyGraded' };
      const cases: Array<[string, string, unknown, string]> = [
        ['POST', items, { score_maximum: 10 }, 'label'],
        ['POST', items, { label: '  ', score_maximum: 10 }, 'label'],
        ['POST', items, { label: 'x'.repeat(1025), score_maximum: 10 }, 'label'],
        ['POST', items, { label: 'Quiz' }, 'score_maximum'],
        ['POST', items, { label: 'Quiz', score_maximum: 0 }, 'score_maximum'],
        ['POST', items, { label: 'Quiz', score_maximum: '10' }, 'score_maximum'],
        ['POST', items, { label: 'Quiz', score_maximum: 10, start_date_time: 'tomorrow' }, 'start_date_time'],
        ['POST', items, { label: 'Quiz', score_maximum: 10, start_date_time: '2026-12-05T10:00:00Z', end_date_time: '2026-12-04T10:00:00Z' }, 'end_date_time'],
        ['POST', items, { label: 'Quiz', score_maximum: 10, tag: 7 }, 'tag'],
        ['POST', items, { label: 'Quiz', scoreMaximum: 10 }, 'scoreMaximum'],
        ['POST', items, [{ label: 'Quiz' }], 'body'],
        ['PUT', services.ags.line_item_url, { label: 'Quiz' }, 'score_maximum'],
        ['POST', scores, { ...score, user_id: '' }, 'user_id'],
        ['POST', scores, { ...score, activity_progress: 'Done' }, 'activity_progress'],
        ['POST', scores, { ...score, grading_progress: undefined }, 'grading_progress'],
        ['POST', scores, { ...score, score_given: -1, score_maximum: 10 }, 'score_given'],
        ['POST', scores, { ...score, score_given: 5 }, 'score_maximum'],
        ['POST', scores, { ...score, score_given: 5, score_maximum: -10 }, 'score_maximum'],
        ['POST', scores, { ...score, timestamp: '2026-12-04T10:00:00Z' }, 'timestamp'],
        ['GET', `${items}?tag=a&tag=b`, undefined, 'tag'],
        ['GET', `${items}?resource_link_id=`, undefined, 'resource_link_id'],
        ['GET', `${items}?limit=5`, undefined, 'limit'],
        ['GET', `${services.nrps.members_url}?role=Learner&role=Instructor`, undefined, 'role'],
        ['GET', `${services.ags.line_item_url}/results?user=u1`, undefined, 'user'],
      ];
      for (const [method, url, body, field] of cases) {
        const answer = await call(url, { method, body });
        expect({ status: answer.status, error: answer.body.error, field: answer.body.field }, `${method} ${url} ${JSON.stringify(body)}`).toEqual({ status: 400, error: 'app_field_invalid', field });
        expect(answer.body.message).toContain(field);
      }
      expect(serviceCalls()).toBe(0);
      expect(tokens.requests.length).toBe(asked);
    });

    it('passes on the LMS’s refusal of a call as 502 lms_refused with its status and words', async () => {
      canvasCourse('/api/lti/courses/2');
      lms.on('POST', '/api/lti/courses/2/line_items/7/scores', () => ({ status: 422, body: { errors: [{ message: 'User not found in course or is not a student' }] } }));
      const { services } = await handOff(canvasClaims('lms-refuses', '/api/lti/courses/2'));
      const answer = await call(`${services.ags.line_item_url}/scores`, { method: 'POST', body: { user_id: 'ghost', activity_progress: 'Completed', grading_progress: 'FullyGraded' } });
      expect(answer.status).toBe(502);
      expect(answer.body).toMatchObject({
        error: 'lms_refused', lms_status: 422, lms_error: 'User not found in course or is not a student', lms_error_description: null, request_id: expect.any(String),
      });
      expect(answer.body.message).not.toContain('User not found');
    });

    it('answers 502 lms_unavailable when the LMS answers something that is no answer', async () => {
      lms.on('GET', '/api/lti/courses/3/names_and_roles', () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html>Log in to Canvas</html>' }));
      const { services } = await handOff(canvasClaims('lms-garbage', '/api/lti/courses/3'));
      const answer = await call(services.nrps.members_url);
      expect(answer.status).toBe(502);
      expect(answer.body).toMatchObject({ error: 'lms_unavailable', lms_status: 200, lms_error: null, lms_error_description: null });
    });

    it('passes on the token endpoint’s refusal as 502 lms_token_refused with its status and words, calling no service', async () => {
      const { services } = await handOff(canvasClaims('token-refused'));
      tokens.answer = () => ({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: 'invalid_client', error_description: 'Developer key 10000000000042 is not active.' }) });
      const answer = await call(services.nrps.members_url);
      expect(answer.status).toBe(502);
      expect(answer.body).toMatchObject({ error: 'lms_token_refused', lms_status: 400, lms_error: 'invalid_client', lms_error_description: 'Developer key 10000000000042 is not active.' });
      expect(serviceCalls()).toBe(0);
    });
  });

  it('after a relaunch with new LMS endpoints, the same gateway URLs reach the newest ones', async () => {
    canvasCourse('/api/lti/courses/4');
    canvasCourse('/api/lti/courses/40');
    const first = await handOff(canvasClaims('moving-course', '/api/lti/courses/4'));
    const second = await handOff(canvasClaims('moving-course', '/api/lti/courses/40'));
    expect(second.services).toEqual(first.services);
    const { services } = first;
    expect((await call(services.nrps.members_url)).status).toBe(200);
    expect((await call(`${services.ags.line_item_url}/scores`, { method: 'POST', body: { user_id: 'u1', activity_progress: 'Completed', grading_progress: 'FullyGraded' } })).status).toBe(200);
    expect((await call(services.ags.line_items_url)).status).toBe(200);
    expect(lms.requests.map((r) => r.url.pathname)).toEqual([
      '/api/lti/courses/40/names_and_roles', '/api/lti/courses/40/names_and_roles', '/api/lti/courses/40/line_items/7/scores', '/api/lti/courses/40/line_items',
    ]);
  });

  it('never answers a 5xx of its own to any body or query an app sends', async () => {
    const { services } = await handOff(canvasClaims('fuzzed'));
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 20 }), fc.double(), fc.constantFrom(null, '', 0, -1, 1e309, '2026-12-04T10:00:00Z', 'Completed', 'FullyGraded'));
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.dictionary(fc.constantFrom('label', 'score_maximum', 'tag', 'resource_id', 'resource_link_id', 'start_date_time', 'end_date_time', 'user_id', 'score_given', 'comment', 'activity_progress', 'grading_progress', 'url', 'x'), value),
    );
    const target = fc.constantFrom(
      ['POST', services.ags.line_items_url], ['PUT', services.ags.line_item_url], ['POST', `${services.ags.line_item_url}/scores`],
    );
    await fc.assert(
      fc.asyncProperty(target, body, async ([method, url], sent) => {
        const answer = await call(url!, { method, body: JSON.stringify(sent) });
        expect(answer.status, JSON.stringify(sent)).toBeLessThan(500);
        if (answer.status >= 400) expect(typeof answer.body.error).toBe('string');
      }),
      { numRuns: 60 },
    );
    const query = fc.array(fc.tuple(fc.constantFrom('role', 'tag', 'user_id', 'resource_id', 'x', 'role[]'), fc.string({ maxLength: 12 })), { maxLength: 3 });
    const reader = fc.constantFrom(services.nrps.members_url, services.ags.line_items_url, `${services.ags.line_item_url}/results`);
    await fc.assert(
      fc.asyncProperty(reader, query, async (url, params) => {
        const answer = await call(`${url}?${new URLSearchParams(params)}`);
        expect(answer.status, JSON.stringify(params)).toBeLessThan(500);
      }),
      { numRuns: 40 },
    );
    // Not JSON at all: a framework refusal, never a 500.
    for (const raw of ['{', 'null', '']) {
      const answer = await fetch(services.ags.line_items_url, { method: 'POST', headers: { authorization: `Bearer ${world.apps.chatbot.api_key}`, 'content-type': 'application/json' }, body: raw });
      expect(answer.status, raw).toBeGreaterThanOrEqual(400);
      expect(answer.status, raw).toBeLessThan(500);
    }
  });
});
