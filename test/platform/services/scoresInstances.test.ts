/**
 * Score posts racing across two launcher instances that share one database (a SQLite file;
 * Postgres when TEST_DATABASE_URL is set): whichever instance each post reaches and in whatever
 * order they land, the result kept is the newest score's, every accepted score is stored once, and
 * an older one changes nothing (AGS 2.0 §4.3.1).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformRoutes } from '../../../src/apps/launcher.ts';
import { AGS_SCOPES } from '../../../src/lti/services/scopes.ts';
import { Members } from '../../../src/platform/model/members.ts';
import { ResourceLinks } from '../../../src/platform/model/resourceLinks.ts';
import { DIALECTS, dropDatabase, freshDatabaseUrl, tempDir } from '../../support/db.ts';
import { startRole, type RunningRole } from '../../support/servers.ts';
import { startLauncherWorld, type LauncherWorld } from '../harness.ts';
import { AGS_MEDIA_TYPES, ags, createLineItem, postScore, resultsUrl } from './agsWorld.ts';
import { postToken, signClientAssertion, tokenForm } from './serviceTool.ts';

const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';

describe.each(DIALECTS)('score posts racing across two launcher instances on %s', (dialect) => {
  let world: LauncherWorld;
  let second: RunningRole;
  let url: string | null;
  // Both instances serve one public URL (as behind a load balancer); requests go to each directly.
  const publicUrl = 'http://lti.test';
  const on = (instance: { url: string }, href: string) => href.replace(publicUrl, instance.url);

  beforeAll(async () => {
    url = await freshDatabaseUrl(dialect);
    const secretKey = randomBytes(32).toString('hex');
    const dataDir = tempDir();
    world = await startLauncherWorld(url, { secretKey, config: { dataDir, publicUrl } });
    second = await startRole('platform', platformRoutes, { databaseUrl: url, secretKey, config: { dataDir, publicUrl } });
  });
  afterAll(async () => {
    await second?.close();
    await world?.close();
    await dropDatabase(url);
  });

  it('keeps the newest score whichever instance each post reaches, and stores each accepted score once', async () => {
    const db = world.launcher.services.db;
    const platformId = world.platform.id as string;
    // The context as launches leave it (a launch of the tool there, its user a member).
    await new ResourceLinks(db).recordOnce({ platformId, contextId: 'race', toolId: world.toolRecord.id, resourceLinkId: 'race-link' });
    await new Members(db).recordLaunch({ platformId, context: { id: 'race' }, user: { sub: 'ada' }, roles: [LEARNER] });
    const tokenUrl = `${publicUrl}/p/springfield/token`;
    const issued = await postToken(on(world.launcher, tokenUrl), tokenForm(await signClientAssertion(world.tool.signer, tokenUrl), `${AGS_SCOPES.lineItem} ${AGS_SCOPES.score} ${AGS_SCOPES.resultReadOnly}`));
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    const token = issued.body.access_token as string;
    const item = await createLineItem(on(second, `${publicUrl}/p/springfield/api/lti/contexts/race/lineitems`), token, { label: 'Race', scoreMaximum: 100 });

    // 16 scores a millisecond apart, posted at once in a shuffled order, alternating instances.
    const stamps = Array.from({ length: 16 }, (_, i) => ({ i, timestamp: `2026-12-04T09:00:00.${String(i).padStart(3, '0')}Z` }));
    const shuffled = stamps.map((s) => ({ s, k: randomBytes(2).readUInt16BE() })).sort((a, b) => a.k - b.k).map(({ s }) => s);
    const answers = await Promise.all(shuffled.map(({ i, timestamp }, n) => postScore(on(n % 2 ? second : world.launcher, item.id), token, {
      userId: 'ada', scoreGiven: i, scoreMaximum: 100, timestamp, activityProgress: 'Completed', gradingProgress: 'FullyGraded',
    })));
    const statuses = answers.map((a) => a.status);
    for (const status of statuses) expect([200, 409]).toContain(status);

    const results = (await (await ags(on(world.launcher, resultsUrl(item.id)), token, { accept: AGS_MEDIA_TYPES.resultContainer })).json()) as any[];
    expect(results).toEqual([expect.objectContaining({ userId: 'ada', resultScore: 15 })]);
    const itemId = String(item.id).split('/').pop()!;
    const stored = await db.selectFrom('scores').select('timestamp').where('line_item_id', '=', itemId).execute();
    expect(stored.length).toBe(statuses.filter((s) => s === 200).length);
    expect(stored.map((r) => r.timestamp)).toContain('2026-12-04T09:00:00.015Z');

    // Later, an older score on either instance changes nothing.
    const late = await postScore(on(second, item.id), token, { userId: 'ada', scoreGiven: 1, scoreMaximum: 100, timestamp: '2026-12-04T09:00:00.001Z', activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    expect(late.status).toBe(409);
    const again = (await (await ags(on(second, resultsUrl(item.id)), token, { accept: AGS_MEDIA_TYPES.resultContainer })).json()) as any[];
    expect(again).toEqual(results);
  });
});
