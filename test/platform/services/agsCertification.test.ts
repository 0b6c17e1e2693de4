/**
 * The AGS part of the 1EdTech certification suite's platform tests (Cert Guide v1p3), as the suite
 * runs it, by a tool written with jose (the FakeTool verifies every id_token's signature against
 * the platform's JWKS): a student launch in context A; a token with the `lineitem` scope only to
 * create line items 1 and 2 and read 1 back; a second student launch in context B; line item 3
 * there; a token with `score` only to post to items 3 and 1 (A's URL still good after the launch
 * in B); a token with `result.readonly` only to read both back; then the gradebook itself.
 * Each token comes from the launcher's POST /token, for a client assertion the tool signs with jose.
 */
import { describe, expect, it } from 'vitest';
import { CLAIM } from '../../../src/lti/claims.ts';
import { DIALECTS } from '../../support/db.ts';
import { expectRefused } from '../../support/refused.ts';
import { useLauncherWorld, type LauncherWorld } from '../harness.ts';
import { AGS_MEDIA_TYPES, AGS_SCOPES, ags, agsClaimOf, firstTool, launch, postScore, resultsUrl, tokenFor } from './agsWorld.ts';

const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';

describe.each(DIALECTS)('the certification suite’s AGS sequence on %s', (dialect) => {
  let world: LauncherWorld;
  useLauncherWorld(dialect, (w) => (world = w));

  it('creates, scores and reads back line items across two contexts with single-scope tokens', async () => {
    const tool = firstTool(world);
    // First student payload, context A: signature valid (verified by the tool), payload complete.
    const payloadA = await launch(world, tool, 'alan', 'cert-context-a', 'cert-link-a');
    expect(payloadA).toMatchObject({
      [CLAIM.messageType]: 'LtiResourceLinkRequest', [CLAIM.version]: '1.3.0', [CLAIM.roles]: [LEARNER],
      [CLAIM.context]: { id: 'cert-context-a' }, [CLAIM.resourceLink]: { id: 'cert-link-a' },
    });
    const claimA = agsClaimOf(payloadA)!;
    expect(claimA.scope).toEqual(expect.arrayContaining([AGS_SCOPES.lineItem, AGS_SCOPES.score, AGS_SCOPES.resultReadOnly]));

    // Generate OAuth2 Call 1: the lineitem scope only.
    const lineItemToken = await tokenFor(world, tool, [AGS_SCOPES.lineItem]);
    const create = async (container: string, label: string, extra: Record<string, unknown> = {}) => {
      const res = await ags(container, lineItemToken, { contentType: AGS_MEDIA_TYPES.lineItem, accept: AGS_MEDIA_TYPES.lineItem, body: { label, scoreMaximum: 100, ...extra } });
      expect(res.status, await res.clone().text()).toBe(201);
      return (await res.json()) as Record<string, any>;
    };
    const item1 = await create(claimA.lineitems, 'Cert Line Item 1', { resourceLinkId: 'cert-link-a', tag: 'cert' });
    const retrieved = await ags(item1.id, lineItemToken, { accept: AGS_MEDIA_TYPES.lineItem });
    expect(retrieved.status).toBe(200);
    expect(await retrieved.json()).toEqual(item1);
    const item2 = await create(claimA.lineitems, 'Cert Line Item 2');
    expect(item2.id).not.toBe(item1.id);

    // Second student payload in a different context.
    const payloadB = await launch(world, tool, 'alan', 'cert-context-b', 'cert-link-b');
    const claimB = agsClaimOf(payloadB)!;
    expect(claimB.lineitems).not.toBe(claimA.lineitems);
    const item3 = await create(claimB.lineitems, 'Cert Line Item 3');

    // Generate OAuth2 Call 2: the score scope only. Post to item 3 (context B) and item 1 (context A, after the launch in B).
    const scoreToken = await tokenFor(world, tool, [AGS_SCOPES.score]);
    const stamp = new Date().toISOString();
    for (const [item, given] of [[item3, 83], [item1, 91]] as const) {
      const res = await postScore(item.id, scoreToken, {
        userId: payloadB.sub, scoreGiven: given, scoreMaximum: 100, comment: 'certification', timestamp: stamp, activityProgress: 'Completed', gradingProgress: 'FullyGraded',
      });
      expect(res.status, await res.clone().text()).toBe(200);
    }
    // The score token reads nothing, and creates nothing.
    await expectRefused(await ags(resultsUrl(item1.id), scoreToken), 403, 'access_token_scope_insufficient');
    await expectRefused(await ags(claimA.lineitems, scoreToken), 403, 'access_token_scope_insufficient');

    // Generate OAuth2 Call 3: result.readonly only. Retrieve results of items 3 and 1.
    const resultToken = await tokenFor(world, tool, [AGS_SCOPES.resultReadOnly]);
    for (const [item, given] of [[item3, 83], [item1, 91]] as const) {
      const res = await ags(resultsUrl(item.id), resultToken, { accept: AGS_MEDIA_TYPES.resultContainer });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual([{ id: expect.any(String), scoreOf: item.id, userId: 'alan', resultScore: given, resultMaximum: 100, comment: 'certification' }]);
    }
    expect((await (await ags(resultsUrl(item2.id), resultToken)).json())).toEqual([]);
    await expectRefused(await ags(item1.id, resultToken), 403, 'access_token_scope_insufficient');

    // Verify Gradebook Entities: the platform holds the three items and the two results, each in its context.
    const db = world.launcher.services.db;
    const items = await db.selectFrom('line_items').select(['id', 'context_id', 'label']).where('tool_id', '=', tool.record.id).where('label', 'like', 'Cert%').orderBy('label').execute();
    expect(items.map((i) => [i.context_id, i.label])).toEqual([
      ['cert-context-a', 'Cert Line Item 1'], ['cert-context-a', 'Cert Line Item 2'], ['cert-context-b', 'Cert Line Item 3'],
    ]);
    const results = await db.selectFrom('results').select(['line_item_id', 'user_id', 'score_given', 'timestamp']).where('line_item_id', 'in', items.map((i) => i.id)).orderBy('score_given').execute();
    expect(results.map((r) => [r.line_item_id, r.user_id, Number(r.score_given), r.timestamp])).toEqual([
      [items[2]!.id, 'alan', 83, stamp], [items[0]!.id, 'alan', 91, stamp],
    ]);
  });
});
