import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/db.ts';
import { expectRefused } from '../../support/refused.ts';
import { useLauncherWorld, type LauncherWorld } from '../harness.ts';
import {
  AGS_MEDIA_TYPES, AGS_SCOPES, addTool, ags, agsClaimOf, createLineItem, firstTool, launch, postScore, resultsUrl, tokenFor, type AgsTool,
} from './agsWorld.ts';

const ALL = Object.values(AGS_SCOPES);
/** The media type itself, parameters (charset) allowed after it. */
const mediaType = (type: string) => new RegExp(`^${type.replace(/[.+]/g, '\\$&')}(;|$)`);

describe.each(DIALECTS)('Assignment and Grade Services on %s', (dialect) => {
  let world: LauncherWorld;
  useLauncherWorld(dialect, (w) => (world = w));
  let toolA: AgsTool;
  let toolB: AgsTool & { close(): Promise<void> };
  let container: string;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    toolA = firstTool(world);
    toolB = await addTool(world, 'tool-client-b');
    const idToken = await launch(world, toolA, 'ada', 'course-1', 'link-a1');
    await launch(world, toolB, 'alan', 'course-1', 'link-b1');
    container = agsClaimOf(idToken)!.lineitems;
    tokenA = await tokenFor(world, toolA, ALL);
    tokenB = await tokenFor(world, toolB, ALL);
  });
  afterAll(async () => toolB?.close());

  const score = (userId: string, timestamp: string, extra: Record<string, unknown> = {}) => ({
    userId, timestamp, activityProgress: 'Completed', gradingProgress: 'FullyGraded', scoreGiven: 7, scoreMaximum: 10, ...extra,
  });

  describe('the endpoint claim', () => {
    it('carries the granted scopes and the container of the launch’s context, and the line item once exactly one is bound to the link', async () => {
      const first = agsClaimOf(await launch(world, toolA, 'ada', 'claim-course', 'claim-link'))!;
      expect(first).toEqual({ scope: ALL, lineitems: `${world.platform.base_url}/api/lti/contexts/claim-course/lineitems` });
      const item = await createLineItem(first.lineitems, tokenA, { label: 'Quiz', scoreMaximum: 10, resourceLinkId: 'claim-link' });
      expect(agsClaimOf(await launch(world, toolA, 'ada', 'claim-course', 'claim-link'))!.lineitem).toBe(item.id);
      await createLineItem(first.lineitems, tokenA, { label: 'Quiz retake', scoreMaximum: 10, resourceLinkId: 'claim-link' });
      expect(agsClaimOf(await launch(world, toolA, 'ada', 'claim-course', 'claim-link'))).toEqual(first);
    });

    it('is absent without a context, and for a tool without AGS scopes; names only the scopes the tool has', async () => {
      expect(agsClaimOf(await launch(world, toolA, 'ada', null))).toBeUndefined();
      await world.launcher.services.db.updateTable('tools').set({ ags_scopes: '[]' }).where('id', '=', toolB.record.id).execute();
      await world.launcher.services.cache.invalidate();
      try {
        expect(agsClaimOf(await launch(world, toolB, 'alan', 'course-1'))).toBeUndefined();
        await world.launcher.services.db.updateTable('tools').set({ ags_scopes: JSON.stringify([AGS_SCOPES.score]) }).where('id', '=', toolB.record.id).execute();
        await world.launcher.services.cache.invalidate();
        expect(agsClaimOf(await launch(world, toolB, 'alan', 'course-1'))!.scope).toEqual([AGS_SCOPES.score]);
      } finally {
        await world.launcher.services.db.updateTable('tools').set({ ags_scopes: JSON.stringify(ALL) }).where('id', '=', toolB.record.id).execute();
        await world.launcher.services.cache.invalidate();
      }
    });
  });

  describe('line items', () => {
    it('creates (201, id = its URL), reads, updates, lists and deletes a line item', async () => {
      const created = await ags(container, tokenA, {
        contentType: `${AGS_MEDIA_TYPES.lineItem}; charset=utf-8`,
        body: { label: 'Essay', scoreMaximum: 50, resourceLinkId: 'link-a1', resourceId: 'essay-1', tag: 'grade', startDateTime: '2026-12-01T00:00:00Z', endDateTime: '2026-12-24T23:59:59.999+01:00', gradesReleased: true },
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('content-type')).toMatch(mediaType(AGS_MEDIA_TYPES.lineItem));
      const item = (await created.json()) as Record<string, any>;
      expect(item.id).toMatch(new RegExp(`^${container}/[A-Za-z0-9_-]{16}$`));
      expect(created.headers.get('location')).toBe(item.id);
      expect(item).toEqual({
        id: item.id, label: 'Essay', scoreMaximum: 50, resourceLinkId: 'link-a1', resourceId: 'essay-1', tag: 'grade',
        startDateTime: '2026-12-01T00:00:00Z', endDateTime: '2026-12-24T23:59:59.999+01:00',
      });
      const read = await ags(item.id, tokenA, { accept: AGS_MEDIA_TYPES.lineItem });
      expect(read.status).toBe(200);
      expect(await read.json()).toEqual(item);

      const put = await ags(item.id, tokenA, { method: 'PUT', contentType: AGS_MEDIA_TYPES.lineItem, body: { label: 'Essay (final)', scoreMaximum: 60, resourceId: 'essay-1', tag: 'grade' } });
      expect(put.status).toBe(200);
      expect(await put.json()).toEqual({ id: item.id, label: 'Essay (final)', scoreMaximum: 60, resourceId: 'essay-1', tag: 'grade' });

      const listed = await ags(`${container}?resource_id=essay-1&tag=grade`, tokenA, { accept: AGS_MEDIA_TYPES.lineItemContainer });
      expect(listed.status).toBe(200);
      expect(listed.headers.get('content-type')).toMatch(mediaType(AGS_MEDIA_TYPES.lineItemContainer));
      expect(await listed.json()).toEqual([{ id: item.id, label: 'Essay (final)', scoreMaximum: 60, resourceId: 'essay-1', tag: 'grade' }]);
      expect(await (await ags(`${container}?resource_id=essay-1&tag=other`, tokenA)).json()).toEqual([]);

      const deleted = await ags(item.id, tokenA, { method: 'DELETE' });
      expect(deleted.status).toBe(204);
      await expectRefused(await ags(item.id, tokenA), 404, 'line_item_not_found', { shape: 'json' });
    });

    it('filters by resource_link_id and pages with limit and Link rel="next", the filters carried', async () => {
      const made: string[] = [];
      for (let i = 0; i < 5; i++) made.push((await createLineItem(container, tokenA, { label: `Page ${i}`, scoreMaximum: 1, resourceLinkId: 'link-a1', tag: 'paged' })).id);
      const seen: string[] = [];
      let url: string | null = `${container}?tag=paged&limit=2`;
      let pages = 0;
      while (url) {
        const res = await ags(url, tokenA, { accept: AGS_MEDIA_TYPES.lineItemContainer });
        expect(res.status).toBe(200);
        const page = (await res.json()) as Array<{ id: string }>;
        expect(page.length).toBeLessThanOrEqual(2);
        seen.push(...page.map((p) => p.id));
        const link = res.headers.get('link');
        url = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null;
        if (url) expect(new URL(url).searchParams.get('tag')).toBe('paged');
        pages++;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(made);
      const byLink = (await (await ags(`${container}?resource_link_id=link-a1&tag=paged`, tokenA)).json()) as unknown[];
      expect(byLink).toHaveLength(5);
      expect(await (await ags(`${container}?resource_link_id=link-zz&tag=paged`, tokenA)).json()).toEqual([]);
    });

    it('keeps each tool to its own items: another tool’s item is not found, its container lists only its own', async () => {
      const item = await createLineItem(container, tokenA, { label: 'A only', scoreMaximum: 5, tag: 'mine' });
      await expectRefused(await ags(item.id, tokenB), 404, 'line_item_not_found', { shape: 'json' });
      await expectRefused(await ags(item.id, tokenB, { method: 'PUT', contentType: AGS_MEDIA_TYPES.lineItem, body: { label: 'x', scoreMaximum: 1 } }), 404, 'line_item_not_found');
      await expectRefused(await ags(item.id, tokenB, { method: 'DELETE' }), 404, 'line_item_not_found');
      await expectRefused(await ags(resultsUrl(item.id), tokenB), 404, 'line_item_not_found');
      await expectRefused(await postScore(item.id, tokenB, score('ada', '2026-12-03T10:00:00.000Z')), 404, 'line_item_not_found');
      const listedByB = await ags(`${container}?tag=mine`, tokenB);
      expect(listedByB.status).toBe(200);
      expect(await listedByB.json()).toEqual([]);
      // The same item under another context's URL is not found either.
      await expectRefused(await ags(item.id.replace('/contexts/course-1/', '/contexts/course-2/'), tokenA), 404, 'line_item_not_found');
      // Still there for its own tool.
      expect((await ags(item.id, tokenA)).status).toBe(200);
    });

    it('refuses a resourceLinkId of another tool or another context (404), and a context the tool was never launched in', async () => {
      await expectRefused(await ags(container, tokenA, { contentType: AGS_MEDIA_TYPES.lineItem, body: { label: 'x', scoreMaximum: 1, resourceLinkId: 'link-b1' } }), 404, 'line_item_resource_link_unknown', { shape: 'json' });
      await launch(world, toolA, 'ada', 'course-2', 'link-a2');
      await expectRefused(await ags(container, tokenA, { contentType: AGS_MEDIA_TYPES.lineItem, body: { label: 'x', scoreMaximum: 1, resourceLinkId: 'link-a2' } }), 404, 'line_item_resource_link_unknown');
      const item = await createLineItem(container, tokenA, { label: 'relink', scoreMaximum: 1 });
      await expectRefused(await ags(item.id, tokenA, { method: 'PUT', contentType: AGS_MEDIA_TYPES.lineItem, body: { label: 'x', scoreMaximum: 1, resourceLinkId: 'link-b1' } }), 404, 'line_item_resource_link_unknown');
      const never = container.replace('/contexts/course-1/', '/contexts/never-launched/');
      await expectRefused(await ags(never, tokenA, { contentType: AGS_MEDIA_TYPES.lineItem, body: { label: 'x', scoreMaximum: 1 } }), 404, 'line_item_context_unknown');
      expect(await (await ags(never, tokenA)).json()).toEqual([]);
      const count = await world.launcher.services.db.selectFrom('line_items').select((eb) => eb.fn.countAll<number>().as('n')).where('label', '=', 'x').executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(0);
    });

    it('refuses malformed JSON and bad fields with 400 naming the field, and writes nothing', async () => {
      const cases: Array<[string, string, string]> = [
        ['{"label": "x", ', 'ags_body_malformed', 'JSON'],
        ['[1,2]', 'ags_body_malformed', 'object'],
        ['{"scoreMaximum": 1}', 'line_item_field_invalid', '"label"'],
        ['{"label": "  ", "scoreMaximum": 1}', 'line_item_field_invalid', '"label"'],
        ['{"label": "bad", "scoreMaximum": 0}', 'line_item_field_invalid', '"scoreMaximum"'],
        ['{"label": "bad", "scoreMaximum": "10"}', 'line_item_field_invalid', '"scoreMaximum"'],
        ['{"label": "bad", "scoreMaximum": 1, "tag": 5}', 'line_item_field_invalid', '"tag"'],
        ['{"label": "bad", "scoreMaximum": 1, "startDateTime": "tomorrow"}', 'line_item_field_invalid', '"startDateTime"'],
      ];
      for (const [rawBody, code, field] of cases) {
        const body = await expectRefused(await ags(container, tokenA, { contentType: AGS_MEDIA_TYPES.lineItem, rawBody }), 400, code, { shape: 'json' });
        expect(JSON.parse(body).message, rawBody).toContain(field);
      }
      const count = await world.launcher.services.db.selectFrom('line_items').select((eb) => eb.fn.countAll<number>().as('n')).where('label', '=', 'bad').executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(0);
      await expectRefused(await ags(`${container}?limit=0`, tokenA), 400, 'ags_query_invalid');
      await expectRefused(await ags(`${container}?limit=2&limit=3`, tokenA), 400, 'ags_query_invalid');
      await expectRefused(await ags(`${container}?after=nonsense`, tokenA), 400, 'ags_query_invalid');
    });
  });

  describe('media types and tokens', () => {
    it('answers a wrong Content-Type with 415 and an Accept without the media type with 406', async () => {
      const item = await createLineItem(container, tokenA, { label: 'Media', scoreMaximum: 10 });
      for (const contentType of ['application/json', 'text/plain', undefined]) {
        await expectRefused(await ags(container, tokenA, { contentType, rawBody: '{"label":"m","scoreMaximum":1}' }), 415, 'ags_media_type_unsupported', { shape: 'json' });
        await expectRefused(await ags(item.id, tokenA, { method: 'PUT', contentType, rawBody: '{"label":"m","scoreMaximum":1}' }), 415, 'ags_media_type_unsupported');
        await expectRefused(await ags(`${item.id}/scores`, tokenA, { contentType, rawBody: JSON.stringify(score('ada', '2026-12-03T10:00:00Z')) }), 415, 'ags_media_type_unsupported');
      }
      await expectRefused(await ags(container, tokenA, { accept: 'text/html' }), 406, 'ags_media_type_not_acceptable', { shape: 'json' });
      await expectRefused(await ags(item.id, tokenA, { accept: AGS_MEDIA_TYPES.lineItemContainer }), 406, 'ags_media_type_not_acceptable');
      await expectRefused(await ags(resultsUrl(item.id), tokenA, { accept: `${AGS_MEDIA_TYPES.resultContainer};q=0, text/html` }), 406, 'ags_media_type_not_acceptable');
      for (const accept of ['*/*', 'application/*', 'application/json', `text/html, ${AGS_MEDIA_TYPES.lineItem};q=0.5`]) expect((await ags(item.id, tokenA, { accept })).status, accept).toBe(200);
    });

    it('refuses a missing, unknown, expired or other platform’s token with 401 and a token without the scope with 403', async () => {
      const item = await createLineItem(container, tokenA, { label: 'Tokens', scoreMaximum: 10 });
      const urls: Array<[string, Record<string, unknown>]> = [
        [container, {}], [item.id, {}], [resultsUrl(item.id), {}],
        [`${item.id}/scores`, { contentType: AGS_MEDIA_TYPES.score, body: score('ada', '2026-12-03T10:00:00Z') }],
      ];
      const expired = (await new (await import('../../../src/platform/model/accessTokens.ts')).AccessTokens(world.launcher.services.db)
        .issue({ platformId: world.platform.id, toolId: toolA.record.id, scopes: ALL }, { now: Date.now() - 3_601_000 })).token;
      for (const [url, init] of urls) {
        const missing = await ags(url, null, init);
        await expectRefused(missing, 401, 'access_token_missing', { shape: 'json' });
        expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="lti-services"');
        const bad = await ags(url, 'not-a-token-at-all', init);
        await expectRefused(bad, 401, 'access_token_invalid');
        expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
        await expectRefused(await ags(url, expired, init), 401, 'access_token_invalid');
      }
      // Each endpoint's scopes (lineitem covers lineitem.readonly).
      const onlyScore = await tokenFor(world, toolA, [AGS_SCOPES.score]);
      const onlyResults = await tokenFor(world, toolA, [AGS_SCOPES.resultReadOnly]);
      const readOnly = await tokenFor(world, toolA, [AGS_SCOPES.lineItemReadOnly]);
      const refusals: Array<[string, string, Record<string, unknown>]> = [
        [container, onlyScore, {}],
        [container, readOnly, { contentType: AGS_MEDIA_TYPES.lineItem, body: { label: 'r', scoreMaximum: 1 } }],
        [item.id, readOnly, { method: 'DELETE' }],
        [item.id, onlyResults, {}],
        [resultsUrl(item.id), onlyScore, {}],
        [`${item.id}/scores`, onlyResults, { contentType: AGS_MEDIA_TYPES.score, body: score('ada', '2026-12-03T10:00:00Z') }],
      ];
      for (const [url, token, init] of refusals) {
        const res = await ags(url, token, init);
        await expectRefused(res, 403, 'access_token_scope_insufficient', { shape: 'json' });
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="lti-services", error="insufficient_scope", scope="https:\/\/purl\.imsglobal\.org\/spec\/lti-ags\/scope\//);
      }
      expect((await ags(container, readOnly)).status).toBe(200);
      expect((await ags(item.id, readOnly)).status).toBe(200);
      expect((await ags(resultsUrl(item.id), onlyResults)).status).toBe(200);
    });
  });

  describe('scores and results', () => {
    it('stores a score of a member, its timestamp as sent, and reads it back as a result rescaled to the line item', async () => {
      const item = await createLineItem(container, tokenA, { label: 'Scored', scoreMaximum: 100 });
      const posted = await postScore(item.id, tokenA, score('ada', '2026-12-03T10:00:00.123456+01:00', { scoreGiven: 12, scoreMaximum: 10, comment: 'Extra credit' }));
      expect(posted.status, await posted.clone().text()).toBe(200);
      expect(await posted.json()).toEqual({ resultUrl: `${resultsUrl(item.id)}?user_id=ada` });
      const res = await ags(resultsUrl(item.id), tokenA, { accept: AGS_MEDIA_TYPES.resultContainer });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(mediaType(AGS_MEDIA_TYPES.resultContainer));
      expect(await res.json()).toEqual([{ id: `${resultsUrl(item.id)}?user_id=ada`, scoreOf: item.id, userId: 'ada', resultScore: 120, resultMaximum: 100, comment: 'Extra credit' }]);
      const stored = await world.launcher.services.db.selectFrom('results').selectAll().where('line_item_id', '=', item.id.split('/').pop()!).executeTakeFirstOrThrow();
      expect(stored.timestamp).toBe('2026-12-03T10:00:00.123456+01:00');
      expect(Number(stored.timestamp_us)).toBe(Date.UTC(2026, 11, 3, 9, 0, 0, 123) * 1000 + 456);
    });

    it('refuses an older score with 409 and changes nothing; a newer one (by a microsecond) replaces it and clears a missing comment', async () => {
      const item = await createLineItem(container, tokenA, { label: 'Ordered', scoreMaximum: 10 });
      expect((await postScore(item.id, tokenA, score('ada', '2026-12-03T10:00:00.500001Z', { comment: 'first' }))).status).toBe(200);
      await expectRefused(await postScore(item.id, tokenA, score('ada', '2026-12-03T10:00:00.500000Z', { scoreGiven: 1 })), 409, 'score_out_of_date', { shape: 'json' });
      await expectRefused(await postScore(item.id, tokenA, score('ada', '2026-12-03T11:00:00.5+01:00', { scoreGiven: 1 })), 409, 'score_out_of_date');
      let results = (await (await ags(resultsUrl(item.id), tokenA)).json()) as any[];
      expect(results).toEqual([expect.objectContaining({ resultScore: 7, comment: 'first' })]);
      // The same timestamp again: accepted (a retried post).
      expect((await postScore(item.id, tokenA, score('ada', '2026-12-03T10:00:00.500001Z', { comment: 'first' }))).status).toBe(200);
      expect((await postScore(item.id, tokenA, score('ada', '2026-12-03T10:00:00.500002Z', { scoreGiven: 9 }))).status).toBe(200);
      results = (await (await ags(resultsUrl(item.id), tokenA)).json()) as any[];
      expect(results).toEqual([{ id: expect.any(String), scoreOf: item.id, userId: 'ada', resultScore: 9, resultMaximum: 10 }]);
      // No scoreGiven: the score is cleared.
      expect((await postScore(item.id, tokenA, { userId: 'ada', timestamp: '2026-12-03T10:00:01Z', activityProgress: 'Started', gradingProgress: 'NotReady' })).status).toBe(200);
      results = (await (await ags(resultsUrl(item.id), tokenA)).json()) as any[];
      expect(results).toEqual([{ id: expect.any(String), scoreOf: item.id, userId: 'ada' }]);
      const history = await world.launcher.services.db.selectFrom('scores').select('timestamp').where('line_item_id', '=', item.id.split('/').pop()!).orderBy('timestamp_us').execute();
      expect(history.map((h) => h.timestamp)).toEqual(['2026-12-03T10:00:00.500001Z', '2026-12-03T10:00:00.500001Z', '2026-12-03T10:00:00.500002Z', '2026-12-03T10:00:01Z']);
    });

    it('keeps the newest score when several race on the same user and line item', async () => {
      const item = await createLineItem(container, tokenA, { label: 'Race', scoreMaximum: 100 });
      const stamps = Array.from({ length: 12 }, (_, i) => `2026-12-03T12:00:00.${String(i).padStart(3, '0')}Z`).reverse();
      const answers = await Promise.all(stamps.map((t, i) => postScore(item.id, tokenA, score('ada', t, { scoreGiven: 100 - i, scoreMaximum: 100 }))));
      for (const a of answers) expect([200, 409]).toContain(a.status);
      const results = (await (await ags(resultsUrl(item.id), tokenA)).json()) as any[];
      expect(results).toEqual([expect.objectContaining({ userId: 'ada', resultScore: 100 })]);
      const stored = await world.launcher.services.db.selectFrom('results').select('timestamp').where('line_item_id', '=', item.id.split('/').pop()!).executeTakeFirstOrThrow();
      expect(stored.timestamp).toBe('2026-12-03T12:00:00.011Z');
    });

    it('refuses a score for a user who is not a member of the context (422) and malformed scores (400 naming the field), writing nothing', async () => {
      const item = await createLineItem(container, tokenA, { label: 'Strict', scoreMaximum: 10 });
      const body = await expectRefused(await postScore(item.id, tokenA, score('grace', '2026-12-03T10:00:00Z')), 422, 'score_user_not_member', { shape: 'json' });
      expect(JSON.parse(body).said).toBeDefined();
      // grace launched in another context only: still not a member of this one.
      await launch(world, toolA, 'grace', 'course-3');
      await expectRefused(await postScore(item.id, tokenA, score('grace', '2026-12-03T10:00:00Z')), 422, 'score_user_not_member');
      const cases: Array<[unknown, string, string]> = [
        ['{"userId":', 'ags_body_malformed', 'JSON'],
        [{ ...score('ada', 'x'), timestamp: undefined }, 'score_field_invalid', '"timestamp"'],
        [score('ada', '2026-12-03 10:00:00'), 'score_field_invalid', '"timestamp"'],
        [score('ada', '2026-12-03T10:00:00'), 'score_field_invalid', '"timestamp"'],
        [score('ada', '2026-02-30T10:00:00Z'), 'score_field_invalid', '"timestamp"'],
        [score('', '2026-12-03T10:00:00Z'), 'score_field_invalid', '"userId"'],
        [score('ada', '2026-12-03T10:00:00Z', { activityProgress: 'Done' }), 'score_field_invalid', '"activityProgress"'],
        [score('ada', '2026-12-03T10:00:00Z', { gradingProgress: undefined }), 'score_field_invalid', '"gradingProgress"'],
        [score('ada', '2026-12-03T10:00:00Z', { scoreGiven: -1 }), 'score_field_invalid', '"scoreGiven"'],
        [score('ada', '2026-12-03T10:00:00Z', { scoreGiven: '5' }), 'score_field_invalid', '"scoreGiven"'],
        [score('ada', '2026-12-03T10:00:00Z', { scoreMaximum: undefined }), 'score_field_invalid', '"scoreMaximum"'],
        [score('ada', '2026-12-03T10:00:00Z', { scoreMaximum: 0 }), 'score_field_invalid', '"scoreMaximum"'],
        [score('ada', '2026-12-03T10:00:00Z', { comment: 5 }), 'score_field_invalid', '"comment"'],
      ];
      for (const [sent, code, field] of cases) {
        const rawBody = typeof sent === 'string' ? sent : JSON.stringify(sent);
        const refused = await expectRefused(await ags(`${item.id}/scores`, tokenA, { contentType: AGS_MEDIA_TYPES.score, rawBody }), 400, code, { shape: 'json' });
        expect(JSON.parse(refused).message, rawBody).toContain(field);
      }
      const id = item.id.split('/').pop()!;
      expect(await world.launcher.services.db.selectFrom('results').select('user_id').where('line_item_id', '=', id).execute()).toEqual([]);
      expect(await world.launcher.services.db.selectFrom('scores').select('user_id').where('line_item_id', '=', id).execute()).toEqual([]);
    });

    it('filters results by user_id and pages them; the results and scores URLs keep the line item’s query string', async () => {
      const item = await createLineItem(container, tokenA, { label: 'Paged results', scoreMaximum: 10 });
      await launch(world, toolA, 'grace', 'course-1');
      await launch(world, toolA, 'alan', 'course-1');
      const withQuery = `${item.id}?type_id=7`;
      for (const user of ['ada', 'alan', 'grace']) {
        const res = await postScore(withQuery, tokenA, score(user, '2026-12-03T10:00:00Z'));
        expect(res.status, await res.clone().text()).toBe(200);
      }
      const one = (await (await ags(`${resultsUrl(withQuery)}&user_id=alan`, tokenA)).json()) as any[];
      expect(one.map((r) => r.userId)).toEqual(['alan']);
      const seen: string[] = [];
      let url: string | null = `${resultsUrl(withQuery)}&limit=2`;
      while (url) {
        const res = await ags(url, tokenA, { accept: AGS_MEDIA_TYPES.resultContainer });
        expect(res.status).toBe(200);
        seen.push(...((await res.json()) as any[]).map((r) => r.userId));
        const link = res.headers.get('link');
        url = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null;
      }
      expect(seen).toEqual(['ada', 'alan', 'grace']);
    });
  });
});
