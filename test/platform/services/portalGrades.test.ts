import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/db.ts';
import { expectRefused } from '../../support/refused.ts';
import { useLauncherWorld, type LauncherWorld } from '../harness.ts';
import { AGS_SCOPES, addTool, agsClaimOf, createLineItem, firstTool, launch, postScore, tokenFor } from './agsWorld.ts';
import { portalToken, pushRoster } from './nrpsSupport.ts';

const ALL = Object.values(AGS_SCOPES);

describe.each(DIALECTS)('the portal’s grades API on %s', (dialect) => {
  let world: LauncherWorld;
  useLauncherWorld(dialect, (w) => (world = w));

  const portalGet = async (path: string, token?: string) =>
    fetch(`${world.platform.base_url}/api/v1/contexts/${path}`, { headers: { authorization: `Bearer ${token ?? (await portalToken(world))}` } });

  it('lists every tool’s line items of a context and each user’s latest score, as the tools sent them; roster members can be graded', async () => {
    const toolA = firstTool(world);
    const toolB = await addTool(world, 'grades-tool-b');
    try {
      const container = agsClaimOf(await launch(world, toolA, 'alan', 'physics', 'quiz-link'))!.lineitems;
      const containerB = agsClaimOf(await launch(world, toolB, 'alan', 'physics'))!.lineitems;
      expect(containerB).toBe(container);
      // A pupil on the portal's roster who never launched anything is a member: a tool may grade them.
      expect((await pushRoster(world, 'physics', { members: [{ sub: 'pupil-7', name: 'Pupil Seven', roles: ['Learner'] }] })).status).toBe(200);
      const tokenA = await tokenFor(world, toolA, ALL);
      const tokenB = await tokenFor(world, toolB, ALL);
      const quiz = await createLineItem(container, tokenA, { label: 'Quiz 1', scoreMaximum: 20, resourceLinkId: 'quiz-link', resourceId: 'q1', tag: 'quiz' });
      const essay = await createLineItem(container, tokenB, { label: 'Essay', scoreMaximum: 100 });
      const stamp = '2026-12-03T09:15:30.123456Z';
      expect((await postScore(quiz.id, tokenA, { userId: 'alan', scoreGiven: 25, scoreMaximum: 20, comment: 'Bonus', timestamp: stamp, activityProgress: 'Completed', gradingProgress: 'FullyGraded' })).status).toBe(200);
      expect((await postScore(quiz.id, tokenA, { userId: 'pupil-7', timestamp: stamp, activityProgress: 'Started', gradingProgress: 'NotReady' })).status).toBe(200);

      const itemsRes = await portalGet('physics/line_items');
      expect(itemsRes.status).toBe(200);
      const items = (await itemsRes.json()) as Array<Record<string, any>>;
      expect(items).toEqual([
        { id: quiz.id.split('/').pop(), url: quiz.id, label: 'Quiz 1', score_maximum: 20, tool_client_id: toolA.record.client_id, resource_link_id: 'quiz-link', resource_id: 'q1', tag: 'quiz' },
        { id: essay.id.split('/').pop(), url: essay.id, label: 'Essay', score_maximum: 100, tool_client_id: 'grades-tool-b', resource_link_id: null, resource_id: null, tag: null },
      ]);
      expect(items[0]!.id).toMatch(/^[A-Za-z0-9_-]{16}$/);

      const results = await portalGet(`physics/line_items/${items[0]!.id}/results`);
      expect(results.status).toBe(200);
      expect(await results.json()).toEqual([
        { user_id: 'alan', score_given: 25, score_maximum: 20, comment: 'Bonus', activity_progress: 'Completed', grading_progress: 'FullyGraded', timestamp: stamp },
        { user_id: 'pupil-7', score_given: null, score_maximum: null, comment: null, activity_progress: 'Started', grading_progress: 'NotReady', timestamp: stamp },
      ]);
      expect(await (await portalGet(`physics/line_items/${items[1]!.id}/results`)).json()).toEqual([]);
      expect(await (await portalGet('chemistry/line_items')).json()).toEqual([]);
    } finally {
      await toolB.close();
    }
  });

  it('refuses a missing or replayed portal token (401) and a line item of another context or none (404)', async () => {
    const tool = firstTool(world);
    const container = agsClaimOf(await launch(world, tool, 'alan', 'biology'))!.lineitems;
    const item = await createLineItem(container, await tokenFor(world, tool, ALL), { label: 'Lab', scoreMaximum: 10 });
    const id = item.id.split('/').pop()!;
    const missing = await fetch(`${world.platform.base_url}/api/v1/contexts/biology/line_items`);
    await expectRefused(missing, 401, 'portal_token_missing', { shape: 'json' });
    const token = await portalToken(world);
    expect((await portalGet('biology/line_items', token)).status).toBe(200);
    await expectRefused(await portalGet('biology/line_items', token), 401, 'portal_token_replayed');
    await expectRefused(await portalGet(`biology/line_items/${id}/results`, await portalToken(world, { aud: 'https://elsewhere.example' })), 401, 'portal_token_audience_invalid');
    // A tool's access token is not a portal token.
    await expectRefused(await portalGet('biology/line_items', await tokenFor(world, tool, ALL)), 401, 'portal_token_invalid');
    await expectRefused(await portalGet(`physics/line_items/${id}/results`), 404, 'line_item_not_found', { shape: 'json' });
    await expectRefused(await portalGet('biology/line_items/nothing-here/results'), 404, 'line_item_not_found');
  });
});
