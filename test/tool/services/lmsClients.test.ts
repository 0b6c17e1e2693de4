/**
 * The gateway's LMS clients (src/tool/clients/) against an LMS stand-in over real HTTP on
 * 127.0.0.1, with Canvas- and Moodle-shaped answers: paging by Link headers, query-string line
 * item URLs, the caps, the token retry, and what a failure looks like.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LtiError } from '../../../src/lti/errors.ts';
import { AGS_SCOPES, NRPS_SCOPE } from '../../../src/lti/services/scopes.ts';
import { policyFetch } from '../../../src/net/urlPolicy.ts';
import { createLineItem, deleteLineItem, getLineItem, listLineItems, updateLineItem } from '../../../src/tool/clients/lineItems.ts';
import type { LmsClient } from '../../../src/tool/clients/lmsClient.ts';
import { LmsError } from '../../../src/tool/clients/lmsError.ts';
import { listMembers } from '../../../src/tool/clients/memberships.ts';
import { listResults } from '../../../src/tool/clients/results.ts';
import { LmsStandIn, type SeenRequest } from './lmsStandIn.ts';

const ROLE_URI = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';

let lms: LmsStandIn;
beforeAll(async () => {
  lms = await LmsStandIn.start();
});
afterAll(() => lms.close());
beforeEach(() => {
  lms.requests.length = 0;
  lms.acceptedTokens.clear();
  lms.acceptedTokens.add('token-1');
});

/** The server's own outbound fetch with its URL policy: loopback may use plain http. */
const fetchLms = policyFetch({ allowPrivate: true, allowInsecure: false });
const client = (over: Partial<LmsClient> = {}): LmsClient => ({ fetch: fetchLms, getToken: async () => 'token-1', ...over });

/** Runs `fn` and returns the LtiError it throws. */
async function refusal(fn: () => Promise<unknown>): Promise<LtiError> {
  const err = await fn().then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(LtiError);
  return err as LtiError;
}

function members(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    user_id: `u${from + i}`,
    name: `Student ${from + i}`,
    given_name: 'Student',
    family_name: String(from + i),
    email: `s${from + i}@example.edu`,
    roles: [`${ROLE_URI}Learner`],
  }));
}

describe('memberships (NRPS)', () => {
  /** Canvas: 120 members in pages of at most 50, absolute Link URLs with current, next, first and last in one header. */
  function canvasRoster(total = 120): void {
    lms.on('GET', '/api/lti/courses/1/names_and_roles', (req) => {
      const page = Number(req.url.searchParams.get('page') ?? '1');
      const from = (page - 1) * 50;
      const pageUrl = (p: number) => `${lms.url}/api/lti/courses/1/names_and_roles?page=${p}&per_page=50`;
      const last = Math.ceil(total / 50);
      const rels = [`<${pageUrl(page)}>; rel="current"`];
      if (page < last) rels.push(`<${pageUrl(page + 1)}>; rel="next"`);
      rels.push(`<${pageUrl(1)}>; rel="first"`, `<${pageUrl(last)}>; rel="last"`);
      return {
        headers: { link: rels.join(','), 'content-type': 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json' },
        body: { id: req.url.href, context: { id: 'ctx-1', label: 'BIO101', title: 'Biology 101' }, members: members(from + 1, Math.min(50, total - from)) },
      };
    });
  }

  it('follows Canvas’s next links through 120 members in pages of 50 and maps them to the app’s shape', async () => {
    canvasRoster();
    const roster = await listMembers(client(), `${lms.url}/api/lti/courses/1/names_and_roles`);
    expect(roster.truncated).toBe(false);
    expect(roster.context).toEqual({ id: 'ctx-1', label: 'BIO101', title: 'Biology 101' });
    expect(roster.members).toHaveLength(120);
    expect(new Set(roster.members.map((m) => m.user_id)).size).toBe(120);
    expect(roster.members[0]).toEqual({
      user_id: 'u1', name: 'Student 1', given_name: 'Student', family_name: '1', email: 's1@example.edu', picture: null,
      roles: [`${ROLE_URI}Learner`], role_names: ['Learner'], status: 'Active',
    });
    const seen = lms.seen('/api/lti/courses/1/names_and_roles');
    expect(seen.map((r) => r.url.searchParams.get('page'))).toEqual([null, '2', '3']);
    for (const r of seen) {
      expect(r.headers.accept).toBe('application/vnd.ims.lti-nrps.v2.membershipcontainer+json');
      expect(r.headers.authorization).toBe('Bearer token-1');
    }
  });

  it('follows Moodle’s relative next link with typographic quotes and odd spacing, short pages, and passes the role filter on', async () => {
    lms.on('GET', '/mod/lti/services.php/CourseSection/2/bindings/1/memberships', (req) => {
      const from = Number(req.url.searchParams.get('from') ?? '0');
      const page = members(from + 1, from === 0 ? 30 : 7).map((m, i) => ({ ...m, roles: [i === 0 ? 'Instructor' : 'Learner'], status: i === 1 ? 'Inactive' : undefined }));
      const next = from === 0 ? { link: `<memberships?role=Learner&limit=30&from=30>;  REL = “next”` } : undefined;
      return { headers: next, body: { id: 'x', context: { id: '2', title: 'Biology 101' }, members: page } };
    });
    const roster = await listMembers(client(), `${lms.url}/mod/lti/services.php/CourseSection/2/bindings/1/memberships`, { role: 'Learner' });
    expect(roster.members).toHaveLength(37);
    expect(roster.truncated).toBe(false);
    expect(roster.context).toEqual({ id: '2', label: null, title: 'Biology 101' });
    expect(roster.members[0]).toMatchObject({ roles: [`${ROLE_URI}Instructor`], role_names: ['Instructor'], status: 'Active' });
    expect(roster.members[1]).toMatchObject({ status: 'Inactive' });
    const seen = lms.seen('/mod/lti/services.php/CourseSection/2/bindings/1/memberships');
    expect(seen.map((r) => r.path.split('?')[1])).toEqual(['role=Learner', 'role=Learner&limit=30&from=30']);
  });

  it('stops at the member cap and at the page limit, and says the list is truncated', async () => {
    canvasRoster();
    const capped = await listMembers(client(), `${lms.url}/api/lti/courses/1/names_and_roles`, { maxMembers: 60 });
    expect(capped.members).toHaveLength(60);
    expect(capped.truncated).toBe(true);
    expect(lms.seen('/api/lti/courses/1/names_and_roles')).toHaveLength(2);

    lms.requests.length = 0;
    const paged = await listMembers(client(), `${lms.url}/api/lti/courses/1/names_and_roles`, { maxPages: 2 });
    expect(paged.members).toHaveLength(100);
    expect(paged.truncated).toBe(true);
    expect(lms.seen('/api/lti/courses/1/names_and_roles')).toHaveLength(2);

    // Exactly at the cap with no page left is the whole class.
    const whole = await listMembers(client(), `${lms.url}/api/lti/courses/1/names_and_roles`, { maxMembers: 120 });
    expect(whole).toMatchObject({ truncated: false });
    expect(whole.members).toHaveLength(120);
  });

  it('refuses a next page on another origin: the token would go to a host the launch never named', async () => {
    lms.on('GET', '/nrps/elsewhere', () => ({ headers: { link: '<https://evil.example/steal>; rel="next"' }, body: { id: 'x', context: { id: 'c' }, members: members(1, 1) } }));
    const err = await refusal(() => listMembers(client(), `${lms.url}/nrps/elsewhere`));
    expect(err.code).toBe('lms_unavailable');
    expect(err.detail).toContain('another origin');
  });

  it('asks for the NRPS scope', async () => {
    canvasRoster(3);
    const asked: string[][] = [];
    await listMembers(client({ getToken: async (scopes) => (asked.push(scopes), 'token-1') }), `${lms.url}/api/lti/courses/1/names_and_roles`);
    expect(asked).toEqual([[NRPS_SCOPE]]);
  });
});

describe('line items and results (AGS)', () => {
  const moodleItems = '/mod/lti/services.php/2/lineitems';
  const moodleItem = '/mod/lti/services.php/2/lineitems/3/lineitem';
  const item = (id: number, extra: Record<string, unknown> = {}) => ({
    id: `${lms.url}/mod/lti/services.php/2/lineitems/${id}/lineitem?type_id=3`, label: `Item ${id}`, scoreMaximum: 10, resourceLinkId: 'link-1', ...extra,
  });

  it('lists Moodle’s line items with the filters added to the container’s own query string, over every page', async () => {
    lms.on('GET', moodleItems, (req) => {
      const from = req.url.searchParams.get('from');
      return from === null
        ? { headers: { link: `<${lms.url}${moodleItems}?type_id=3&resource_link_id=link-1&tag=quiz&limit=2&from=2>; rel=“next”` }, body: [item(1, { tag: 'quiz' }), item(2)] }
        : { body: [item(3, { startDateTime: '2026-01-01T00:00:00Z' })] };
    });
    const listed = await listLineItems(client(), `${lms.url}${moodleItems}?type_id=3`, { resource_link_id: 'link-1', tag: 'quiz' });
    expect(listed.truncated).toBe(false);
    expect(listed.line_items).toHaveLength(3);
    expect(listed.line_items[0]).toEqual({
      url: `${lms.url}${moodleItems}/1/lineitem?type_id=3`, label: 'Item 1', score_maximum: 10, resource_id: null, tag: 'quiz',
      resource_link_id: 'link-1', start_date_time: null, end_date_time: null,
    });
    expect(listed.line_items[2].start_date_time).toBe('2026-01-01T00:00:00Z');
    const [first] = lms.seen(moodleItems);
    expect(first.path).toBe(`${moodleItems}?type_id=3&resource_link_id=link-1&tag=quiz`);
    expect(first.headers.accept).toBe('application/vnd.ims.lis.v2.lineitemcontainer+json');
  });

  it('creates, reads, updates and deletes a line item with the AGS media types, its query string kept', async () => {
    lms.on('POST', moodleItems, (req) => ({ status: 201, body: { ...JSON.parse(req.body), id: `${lms.url}${moodleItem}?type_id=3` } }));
    lms.on('GET', moodleItem, () => ({ body: item(3) }));
    lms.on('PUT', moodleItem, (req) => ({ body: JSON.parse(req.body) }));
    lms.on('DELETE', moodleItem, () => ({ status: 204 }));
    const itemUrl = `${lms.url}${moodleItem}?type_id=3`;

    const created = await createLineItem(client(), `${lms.url}${moodleItems}?type_id=3`, { label: 'Chat participation', score_maximum: 10, resource_link_id: 'link-1', tag: 'chat' });
    expect(created).toMatchObject({ url: itemUrl, label: 'Chat participation', score_maximum: 10, resource_link_id: 'link-1', tag: 'chat', resource_id: null });
    const post = lms.seen(moodleItems).at(-1)!;
    expect(post.headers['content-type']).toBe('application/vnd.ims.lis.v2.lineitem+json');
    expect(JSON.parse(post.body)).toEqual({ label: 'Chat participation', scoreMaximum: 10, resourceLinkId: 'link-1', tag: 'chat' });

    expect(await getLineItem(client(), itemUrl)).toMatchObject({ url: `${lms.url}${moodleItems}/3/lineitem?type_id=3`, label: 'Item 3' });
    const updated = await updateLineItem(client(), itemUrl, { label: 'Renamed', score_maximum: 20 });
    expect(updated).toMatchObject({ url: itemUrl, label: 'Renamed', score_maximum: 20 });
    await deleteLineItem(client(), itemUrl);
    expect(lms.seen(moodleItem).map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${moodleItem}?type_id=3`, `PUT ${moodleItem}?type_id=3`, `DELETE ${moodleItem}?type_id=3`,
    ]);
    expect(lms.seen(moodleItem).map((r) => r.headers.accept)).toEqual(Array(3).fill('application/vnd.ims.lis.v2.lineitem+json'));
  });

  it('reads with lineitem.readonly, or with lineitem when that is all the LMS offered', async () => {
    lms.on('GET', moodleItem, () => ({ body: item(3) }));
    const asked: string[][] = [];
    const c = client({ getToken: async (scopes) => (asked.push(scopes), 'token-1') });
    await getLineItem(c, `${lms.url}${moodleItem}`);
    await getLineItem(c, `${lms.url}${moodleItem}`, { offeredScopes: [AGS_SCOPES.lineItem, AGS_SCOPES.score] });
    expect(asked).toEqual([[AGS_SCOPES.lineItemReadOnly], [AGS_SCOPES.lineItem]]);
  });

  it('reads results at {lineitem}/results with the line item’s query string kept, over every page, in the app’s shape', async () => {
    lms.on('GET', `${moodleItem}/results`, (req) => req.url.searchParams.get('page') === '2'
      ? { body: [{ id: 'r2', userId: 'u2', resultScore: 4, resultMaximum: 10 }] }
      : { headers: { link: '<results?type_id=3&page=2>; rel="next"' }, body: [{ id: 'r1', userId: 'u1', resultScore: 0.5, comment: 'Good' }, { id: 'r0' }] });
    const read = await listResults(client(), `${lms.url}${moodleItem}?type_id=3`);
    expect(read).toEqual({
      results: [
        { user_id: 'u1', result_score: 0.5, result_maximum: 1, comment: 'Good' },
        { user_id: 'u2', result_score: 4, result_maximum: 10, comment: null },
      ],
      truncated: false,
    });
    expect(lms.seen(`${moodleItem}/results`).map((r) => r.path)).toEqual([`${moodleItem}/results?type_id=3`, `${moodleItem}/results?type_id=3&page=2`]);
    expect(lms.seen(`${moodleItem}/results`)[0].headers.accept).toBe('application/vnd.ims.lis.v2.resultcontainer+json');

    lms.requests.length = 0;
    await listResults(client(), `${lms.url}${moodleItem}?type_id=3`, { user_id: 'u1' });
    expect(lms.seen(`${moodleItem}/results`)[0].path).toBe(`${moodleItem}/results?type_id=3&user_id=u1`);
  });
});

describe('tokens and failures', () => {
  const path = '/api/lti/courses/1/line_items/7';
  beforeEach(() => {
    lms.on('GET', path, () => ({ body: { id: `${lms.url}${path}`, label: 'Quiz', scoreMaximum: 5 } }));
  });

  it('on a 401, forgets the token, asks for a fresh one and retries once', async () => {
    lms.acceptedTokens.clear();
    lms.acceptedTokens.add('fresh');
    const tokens = ['stale', 'fresh'];
    const invalidated: Array<[string[], string]> = [];
    const c = client({ getToken: async () => tokens.shift()!, invalidate: (scopes, refused) => void invalidated.push([scopes, refused]) });
    expect(await getLineItem(c, `${lms.url}${path}`)).toMatchObject({ label: 'Quiz' });
    expect(invalidated).toEqual([[[AGS_SCOPES.lineItemReadOnly], 'stale']]);
    expect(lms.seen(path).map((r: SeenRequest) => r.headers.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  it('gives up after one retry: a second 401 is lms_refused with the LMS’s status and words', async () => {
    lms.acceptedTokens.clear();
    const err = await refusal(() => getLineItem(client(), `${lms.url}${path}`));
    expect(err).toBeInstanceOf(LmsError);
    expect((err as LmsError).lmsFields()).toEqual({ lms_status: 401, lms_error: 'Invalid access token format', lms_error_description: null });
    expect(err.status).toBe(502);
    expect(err.said).toEqual({ lms_status: '401', lms_error: 'Invalid access token format' });
    expect(lms.seen(path)).toHaveLength(2);
  });

  it('passes on the LMS’s status and its own error words, however the LMS writes them, cut', async () => {
    const cases: Array<[number, unknown, string | null, string | null]> = [
      [422, { errors: [{ message: 'User not found in course or is not a student' }] }, 'User not found in course or is not a student', null],
      [404, { errors: { type: 'not_found', message: 'The specified resource does not exist.' } }, 'The specified resource does not exist.', null],
      [400, { status: 400, reason: 'Incorrect score received' }, 'Incorrect score received', null],
      [403, { error: 'insufficient_scope', error_description: 'The token lacks lineitem' }, 'insufficient_scope', 'The token lacks lineitem'],
      [400, { error: 'bad_request', message: 'label is required' }, 'bad_request', 'label is required'],
      [503, 'Service temporarily down for maintenance', null, 'Service temporarily down for maintenance'],
      [500, '<!doctype html><h1>Internal Server Error</h1>', null, null],
      [400, { error: 'x'.repeat(500) }, `${'x'.repeat(299)}…`, null],
      [401, 'error=invalid_token&error_description=Token+expired', 'invalid_token', 'Token expired'],
    ];
    for (const [status, body, error, description] of cases) {
      lms.on('GET', path, () => ({ status, body, headers: typeof body === 'string' ? { 'content-type': 'text/html' } : undefined }));
      const err = await refusal(() => getLineItem(client(), `${lms.url}${path}`));
      expect(err.code).toBe('lms_refused');
      expect((err as LmsError).lmsFields(), JSON.stringify(body)).toEqual({ lms_status: status, lms_error: error, lms_error_description: description });
    }
  });

  it('reports an LMS it cannot reach, one that does not answer in time, and one that answers garbage as lms_unavailable', async () => {
    const closed = await LmsStandIn.start();
    const closedUrl = `${closed.url}${path}`;
    await closed.close();
    const unreachable = await refusal(() => getLineItem(client(), closedUrl));
    expect(unreachable).toMatchObject({ code: 'lms_unavailable', status: 502 });
    expect((unreachable as LmsError).lmsFields()).toEqual({ lms_status: null, lms_error: null, lms_error_description: null });
    expect(unreachable.detail).toContain(closedUrl);

    lms.on('GET', '/slow', () => 'hang');
    const slow = await refusal(() => getLineItem(client({ timeoutMs: 200 }), `${lms.url}/slow`));
    expect(slow.code).toBe('lms_unavailable');

    lms.on('GET', '/html', () => ({ body: '<html>Log in</html>', headers: { 'content-type': 'text/html' } }));
    const html = await refusal(() => getLineItem(client(), `${lms.url}/html`));
    expect(html.code).toBe('lms_unavailable');
    expect(html.detail).toContain('not JSON');

    lms.on('GET', '/redirect', () => ({ status: 302, headers: { location: 'https://login.example.edu/' } }));
    expect((await refusal(() => getLineItem(client(), `${lms.url}/redirect`))).code).toBe('lms_unavailable');

    lms.on('GET', '/no-id', () => ({ body: { label: 'No id' } }));
    expect((await refusal(() => getLineItem(client(), `${lms.url}/no-id`))).code).toBe('lms_unavailable');

    lms.on('GET', '/not-a-list', () => ({ body: { members: 'none' } }));
    expect((await refusal(() => listLineItems(client(), `${lms.url}/not-a-list`))).code).toBe('lms_unavailable');
    expect((await refusal(() => listMembers(client(), `${lms.url}/not-a-list`))).code).toBe('lms_unavailable');
  });

  it('never puts the token in what a failure says', async () => {
    lms.acceptedTokens.clear();
    const err = await refusal(() => getLineItem(client({ getToken: async () => 'secret-token-value' }), `${lms.url}${path}`));
    expect(JSON.stringify({ message: err.message, detail: err.detail, said: err.said })).not.toContain('secret-token-value');
  });
});
