/**
 * ltijs (a certified LTI 1.3 tool library we did not write) sends grades to the launcher with its
 * Grade service: it takes the line items URL from the launch's AGS endpoint claim, asks for tokens
 * with the scopes each call needs, creates a line item bound to its resource link, reads and
 * updates it, posts scores (ltijs builds the scores URL itself and stamps each score with now),
 * and reads the results back over pages. Set up by ltijsTool.ts (Postgres only).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LtijsProvider, LtijsToken } from 'ltijs';
import { ALL_AGS_SCOPES } from '../../../src/lti/services/scopes.ts';
import type { LauncherWorld } from '../harness.ts';
import { startLtijsTool, type LtijsTool } from './ltijsTool.ts';

const PG_URL = process.env.TEST_DATABASE_URL;
const COURSE = { id: 'chem-200', label: 'CHEM 200', title: 'Reactions' };

describe.skipIf(!PG_URL)('ltijs sends grades to the launcher (AGS 2.0)', () => {
  let tool: LtijsTool;
  let world: LauncherWorld;
  let lti: LtijsProvider;
  const launch = (user: string): Promise<LtijsToken> => tool.launch(user);
  const grantedScopes = () => tool.grantedScopes();

  beforeAll(async () => {
    tool = await startLtijsTool(PG_URL!, { clientId: 'ltijs-grades', name: 'ltijs Grades', course: COURSE, resourceLinkId: 'reactions-quiz' });
    ({ world, lti } = tool);
  }, 60_000);

  afterAll(() => tool?.close());

  it('creates a line item, posts scores and reads the results back', async () => {
    await launch('alan');
    await launch('grace');
    const token = await launch('ada');
    const lineitems = `${world.platform.base_url}/api/lti/contexts/${COURSE.id}/lineitems`;
    expect(token.platformContext.endpoint).toEqual({ scope: [...ALL_AGS_SCOPES], lineitems });

    const created = await lti.Grade.createLineItem(token, { label: 'Reactions quiz', scoreMaximum: 50, tag: 'quiz', resourceId: 'rq-1' }, { resourceLinkId: true });
    expect(created).toEqual({ id: expect.stringMatching(new RegExp(`^${lineitems}/`)), label: 'Reactions quiz', scoreMaximum: 50, tag: 'quiz', resourceId: 'rq-1', resourceLinkId: 'reactions-quiz' });
    expect(await lti.Grade.getLineItemById(token, created.id)).toEqual(created);
    const updated = await lti.Grade.updateLineItemById(token, created.id, { ...created, label: 'Reactions quiz (v2)' });
    expect(updated.label).toBe('Reactions quiz (v2)');
    const listed = await lti.Grade.getLineItems(token, { resourceLinkId: true });
    expect(listed.lineItems.map((i) => i.id)).toEqual([created.id]);
    // Now the launch names the link's one line item.
    expect((await launch('ada')).platformContext.endpoint?.lineitem).toBe(created.id);

    for (const [userId, scoreGiven] of [['alan', 41], ['grace', 47], ['ada', 50]] as const) {
      await lti.Grade.submitScore(token, created.id, { userId, scoreGiven, scoreMaximum: 50, activityProgress: 'Completed', gradingProgress: 'FullyGraded', comment: `well done ${userId}` });
    }
    // No scoreMaximum: ltijs reads it from the line item first (and so asks for the lineitem scope too).
    await lti.Grade.submitScore(token, created.id, { userId: 'alan', scoreGiven: 44, activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    expect(await grantedScopes()).toContainEqual(`${ALL_AGS_SCOPES[3]} ${ALL_AGS_SCOPES[0]}`);

    const firstPage = await lti.Grade.getScores(token, created.id, { limit: 2 });
    expect(firstPage.scores.map((s) => s.userId)).toEqual(['ada', 'alan']);
    expect(firstPage.next).toBeDefined();
    const rest = await lti.Grade.getScores(token, created.id, { url: firstPage.next! });
    expect(rest.scores).toEqual([{ id: expect.any(String), scoreOf: created.id, userId: 'grace', resultScore: 47, resultMaximum: 50, comment: 'well done grace' }]);
    expect(rest.next).toBeUndefined();
    const alan = await lti.Grade.getScores(token, created.id, { userId: 'alan' });
    // The later score replaced the earlier one, and cleared its comment.
    expect(alan.scores).toEqual([{ id: expect.any(String), scoreOf: created.id, userId: 'alan', resultScore: 44, resultMaximum: 50 }]);

    // A stranger's score: ltijs reports the launcher's 422.
    await expect(lti.Grade.submitScore(token, created.id, { userId: 'nobody', scoreGiven: 1, scoreMaximum: 50, activityProgress: 'Completed', gradingProgress: 'FullyGraded' })).rejects.toThrow(/422/);

    expect(await lti.Grade.deleteLineItemById(token, created.id)).toBe(true);
    expect((await lti.Grade.getLineItems(token)).lineItems).toEqual([]);
  });
});
