import { AGS_MEDIA_TYPES } from '../src/lti/services/ags.ts';
import { AGS_SCOPES } from '../src/lti/services/scopes.ts';
import { AccessTokens } from '../src/platform/model/accessTokens.ts';
import { Members } from '../src/platform/model/members.ts';
import { ResourceLinks } from '../src/platform/model/resourceLinks.ts';
import { createDb } from '../src/store/db.ts';
import { startBenchLauncher } from './benchLauncher.ts';
import { expectStatus, request, timed, type StepTimes } from './driver.ts';
import type { Child } from './procStats.ts';
import type { Dialect, RunningRole } from './services.ts';

/** The one step of a score post, as the table shows it. */
export const SCORE_STEPS = ['score'];
/** The tables a score post writes. */
export const SCORE_TABLES = ['results', 'scores'];

export interface ScoresWorld {
  role: RunningRole;
  idp: Child;
  /** One score post (the next user in turn, a later timestamp than any before); `check` reads the answer. */
  iteration(check?: boolean): Promise<StepTimes>;
  close(): Promise<void>;
}

const CONTEXT_ID = 'bench-course';
const USERS = 500;

/**
 * The launcher in its own process with a platform, a tool, a course of USERS members and one line
 * item. The bench client plays the tool: each request posts a FullyGraded score for the next member
 * in turn with a new, later timestamp, so every post is accepted and writes its score and result
 * (the conditional upsert and the score row, one transaction). The members, the resource link and
 * the access token are written straight into the database (a launch or POST /token per user is
 * not what this measures).
 */
export async function startScoresWorld(dialect: Dialect): Promise<ScoresWorld> {
  const launcher = await startBenchLauncher(dialect, { tool: { name: 'Bench Grades Tool', client_id: 'bench-grades-tool' } });
  const { role, idp, storage, platform, tool } = launcher;
  const db = createDb({ databaseUrl: storage.databaseUrl, dataDir: storage.dataDir });
  let token: string;
  try {
    await new ResourceLinks(db).recordOnce({ platformId: platform.id, contextId: CONTEXT_ID, toolId: tool.id, resourceLinkId: 'bench-link' });
    const members = new Members(db);
    for (let i = 0; i < USERS; i++) {
      await members.recordLaunch({ platformId: platform.id, context: { id: CONTEXT_ID }, user: { sub: `student-${i}` }, roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'] });
    }
    ({ token } = await new AccessTokens(db).issue({ platformId: platform.id, toolId: tool.id, scopes: [AGS_SCOPES.lineItem, AGS_SCOPES.score] }));
  } finally {
    await db.destroy();
  }
  const auth = { authorization: `Bearer ${token}` };
  const created = expectStatus(await request(`${platform.base_url}/api/lti/contexts/${CONTEXT_ID}/lineitems`, {
    method: 'POST', headers: { ...auth, 'content-type': AGS_MEDIA_TYPES.lineItem }, body: JSON.stringify({ label: 'Bench quiz', scoreMaximum: 100, resourceLinkId: 'bench-link' }),
  }), 201, 'line item');
  const scoresUrl = `${(JSON.parse(created.body) as { id: string }).id}/scores`;

  let n = 0;
  const startMicros = Date.now() * 1000;
  async function iteration(check = false): Promise<StepTimes> {
    const t: StepTimes = {};
    const i = n++;
    // A timestamp a microsecond after the last one: sub-second precision, always newer.
    const micros = startMicros + i;
    const timestamp = new Date(Math.floor(micros / 1000)).toISOString().replace('Z', `${String(micros % 1000).padStart(3, '0')}Z`);
    const body = JSON.stringify({
      userId: `student-${i % USERS}`, scoreGiven: i % 101, scoreMaximum: 100, comment: 'bench', timestamp,
      activityProgress: 'Completed', gradingProgress: 'FullyGraded',
    });
    const answer = await timed(t, 'score', () => request(scoresUrl, { method: 'POST', headers: { ...auth, 'content-type': AGS_MEDIA_TYPES.score }, body }));
    expectStatus(answer, 200, 'score');
    if (check && !(JSON.parse(answer.body) as { resultUrl?: string }).resultUrl) throw new Error(`score: unexpected answer ${answer.body}`);
    return t;
  }

  return { role, idp, iteration, close: () => launcher.close() };
}
