/**
 * Score posts from the gateway (src/tool/clients/scores.ts) against an LMS stand-in over real
 * HTTP, with the timestamps of src/tool/model/scoreTimestamps.ts on each database: milliseconds,
 * strictly increasing per line item and user across calls and instances, and Moodle's 409 for a
 * second score within the same second, waited out once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AGS_SCOPES } from '../../../src/lti/services/scopes.ts';
import { policyFetch } from '../../../src/net/urlPolicy.ts';
import type { LmsClient } from '../../../src/tool/clients/lmsClient.ts';
import { LmsError } from '../../../src/tool/clients/lmsError.ts';
import { postScore, type AppScore } from '../../../src/tool/clients/scores.ts';
import { ScoreTimestamps } from '../../../src/tool/model/scoreTimestamps.ts';
import { createDb, type Db } from '../../../src/store/db.ts';
import { migrateToLatest } from '../../../src/store/migrations.ts';
import { DIALECTS, dropDatabase, freshDatabaseUrl, tempDir } from '../../support/db.ts';
import { LmsStandIn, type SeenRequest } from './lmsStandIn.ts';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const client: LmsClient = { fetch: policyFetch({ allowPrivate: true, allowInsecure: false }), getToken: async () => 'token-1' };
const score = (user_id = 'u1', score_given = 7): AppScore => ({ user_id, score_given, score_maximum: 10, activity_progress: 'Completed', grading_progress: 'FullyGraded' });

/** Waits until early in a second, so two posts surely fall within the same second. */
async function startOfASecond(): Promise<void> {
  const into = Date.now() % 1000;
  if (into > 300) await new Promise((r) => setTimeout(r, 1000 - into + 5));
}

const sentBody = (r: SeenRequest) => JSON.parse(r.body) as Record<string, unknown>;

describe.each(DIALECTS)('score posts (%s)', (dialect) => {
  let lms: LmsStandIn;
  let url: string | null;
  let dataDir: string;
  let db: Db;
  let other: Db;
  beforeAll(async () => {
    lms = await LmsStandIn.start();
    url = await freshDatabaseUrl(dialect);
    dataDir = tempDir();
    db = createDb({ databaseUrl: url, dataDir });
    await migrateToLatest(db);
    // A second instance: its own connection to the same database.
    other = createDb({ databaseUrl: url, dataDir });
  });
  afterAll(async () => {
    await lms.close();
    await other.destroy();
    await db.destroy();
    await dropDatabase(url);
  });
  beforeEach(() => {
    lms.requests.length = 0;
  });

  /** Moodle's gradebookservices scores.php: 409 when the stored time (whole seconds) is not before the new timestamp's. */
  function moodleScores(path: string): void {
    const stored = new Map<string, number>();
    lms.on('POST', path, (req) => {
      const body = sentBody(req);
      const seconds = Math.floor(Date.parse(body.timestamp as string) / 1000);
      const last = stored.get(body.userId as string);
      if (last !== undefined && last >= seconds) return { status: 409, body: { status: 409, reason: 'Conflict' } };
      stored.set(body.userId as string, seconds);
      return { status: 200, body: '' };
    });
  }

  it('posts a score to {lineitem}/scores, its query string kept, with the score media type and a millisecond timestamp', async () => {
    lms.on('POST', '/api/lti/courses/1/line_items/7/scores', () => ({ body: { resultUrl: `${lms.url}/api/lti/courses/1/line_items/7/results/4` } }));
    lms.on('POST', '/mod/lti/services.php/2/lineitems/3/lineitem/scores', () => ({ status: 200, body: '' }));
    const stamps = new ScoreTimestamps(db);
    const asked: string[][] = [];
    const c = { ...client, getToken: async (scopes: string[]) => (asked.push(scopes), 'token-1') };

    const canvas = await postScore(c, `${lms.url}/api/lti/courses/1/line_items/7`, { ...score(), comment: 'Well done' }, stamps);
    expect(canvas).toMatchObject({ ok: true, lms_status: 200, lms_answer: { resultUrl: `${lms.url}/api/lti/courses/1/line_items/7/results/4` } });
    const [posted] = lms.seen('/api/lti/courses/1/line_items/7/scores');
    expect(posted.headers['content-type']).toBe('application/vnd.ims.lis.v1.score+json');
    const body = sentBody(posted);
    expect(body).toEqual({ userId: 'u1', scoreGiven: 7, scoreMaximum: 10, comment: 'Well done', activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: canvas.timestamp });
    expect(canvas.timestamp).toMatch(ISO_MS);
    expect(Math.abs(Date.parse(canvas.timestamp) - Date.now())).toBeLessThan(5000);

    const moodle = await postScore(c, `${lms.url}/mod/lti/services.php/2/lineitems/3/lineitem?type_id=3`, { ...score(), score_given: null, grading_progress: 'Pending' }, stamps);
    expect(moodle).toMatchObject({ ok: true, lms_status: 200, lms_answer: null });
    const [moodlePost] = lms.seen('/mod/lti/services.php/2/lineitems/3/lineitem/scores');
    expect(moodlePost.path).toBe('/mod/lti/services.php/2/lineitems/3/lineitem/scores?type_id=3');
    // No score given: neither scoreGiven nor a comment is sent (a missing comment clears the LMS's).
    expect(Object.keys(sentBody(moodlePost)).sort()).toEqual(['activityProgress', 'gradingProgress', 'scoreMaximum', 'timestamp', 'userId']);
    expect(asked).toEqual([[AGS_SCOPES.score], [AGS_SCOPES.score]]);
  });

  it('sends strictly increasing timestamps per line item and user, across calls and instances at once', async () => {
    const stamps = [new ScoreTimestamps(db), new ScoreTimestamps(other)];
    const now = Date.now() + 60_000;
    // All at the same instant on both instances: each one still gets its own, later timestamp.
    const got = await Promise.all(Array.from({ length: 20 }, (_, i) => stamps[i % 2].next('https://lms.example/li/1', 'u1', 0, now)));
    expect(new Set(got).size).toBe(20);
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => now + i));
    // Another user or line item has a sequence of its own.
    expect(await stamps[0].next('https://lms.example/li/1', 'u2', 0, now)).toBe(now);
    expect(await stamps[1].next('https://lms.example/li/2', 'u1', 0, now)).toBe(now);
    // A later clock wins over the sequence; an earlier one (another instance's clock behind) does not go back.
    expect(await stamps[0].next('https://lms.example/li/1', 'u1', 0, now + 10_000)).toBe(now + 10_000);
    expect(await stamps[1].next('https://lms.example/li/1', 'u1', 0, now)).toBe(now + 10_001);
  });

  it('waits for the next second and retries once when Moodle answers 409 to a second score within the same second', async () => {
    const path = '/mod/lti/services.php/2/lineitems/5/lineitem/scores';
    moodleScores(path);
    const stamps = new ScoreTimestamps(db);
    const itemUrl = `${lms.url}/mod/lti/services.php/2/lineitems/5/lineitem?type_id=3`;
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      await new Promise((r) => setTimeout(r, ms));
    };
    await startOfASecond();
    const first = await postScore(client, itemUrl, score('u1', 5), stamps, { sleep });
    const second = await postScore(client, itemUrl, score('u1', 8), stamps, { sleep });
    expect(first.ok && second.ok).toBe(true);
    const sent = lms.seen(path).map((r) => sentBody(r).timestamp as string);
    expect(sent).toHaveLength(3);
    expect(lms.seen(path).map((r) => r.path.split('?')[1])).toEqual(['type_id=3', 'type_id=3', 'type_id=3']);
    const [a, b, c] = sent.map((t) => Date.parse(t));
    expect(a < b && b < c).toBe(true);
    expect(Math.floor(a / 1000)).toBe(Math.floor(b / 1000));
    expect(Math.floor(c / 1000)).toBeGreaterThan(Math.floor(b / 1000));
    expect(second.timestamp).toBe(sent[2]);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[0]).toBeLessThanOrEqual(1000);
  });

  it('retries a 409 only once: a second 409 is lms_refused with the LMS’s status', async () => {
    const path = '/always-conflict/lineitem/scores';
    lms.on('POST', path, () => ({ status: 409, body: { status: 409, reason: 'Conflict' } }));
    const err = await postScore(client, `${lms.url}/always-conflict/lineitem`, score(), new ScoreTimestamps(db), { sleep: async () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LmsError);
    expect((err as LmsError).lmsFields()).toEqual({ lms_status: 409, lms_error: 'Conflict', lms_error_description: null });
    expect(lms.seen(path)).toHaveLength(2);
  });

  it('does not retry other refusals, such as Canvas’s 422 for a user who is not a student', async () => {
    const path = '/api/lti/courses/1/line_items/9/scores';
    lms.on('POST', path, () => ({ status: 422, body: { errors: [{ message: 'User not found in course or is not a student' }] } }));
    const err = await postScore(client, `${lms.url}/api/lti/courses/1/line_items/9`, score('test-student'), new ScoreTimestamps(db)).catch((e: unknown) => e);
    expect((err as LmsError).lmsFields()).toEqual({ lms_status: 422, lms_error: 'User not found in course or is not a student', lms_error_description: null });
    expect(lms.seen(path)).toHaveLength(1);
  });
});
