import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AGS_ENDPOINT_CLAIM } from '../src/lti/services/ags.ts';
import { AGS_SCOPES } from '../src/lti/services/scopes.ts';
import { expectStatus, request, timed, type StepTimes } from './driver.ts';
import { startGatewayProcess } from './gatewayBench.ts';
import type { Dialect, RunningRole } from './services.ts';

/** The one step of a score post through the gateway, as the table shows it. */
export const GATEWAY_SCORE_STEPS = ['score'];

export interface GatewayScoresWorld {
  role: RunningRole;
  /** Score posts the LMS stand-in received (each of the app's that the gateway passed on). */
  received(): number;
  iteration(check?: boolean): Promise<StepTimes>;
  close(): Promise<void>;
}

/**
 * An LMS stand-in in the bench process that answers at once: its token endpoint gives a token for
 * whatever scopes are asked (no assertion check: what is measured is the gateway, not the LMS) and
 * its line item takes every score with 200.
 */
async function startInstantLms(): Promise<{ url: string; scores: () => number; close(): Promise<void> }> {
  let scores = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/token' && req.method === 'POST') {
        const scope = new URLSearchParams(body).get('scope') ?? '';
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'bench-lms-token', token_type: 'Bearer', expires_in: 3600, scope }));
      } else if (req.url === '/lineitems/1/scores' && req.method === 'POST') {
        scores += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, scores: () => scores, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * The gateway in its own process, launched once by the bench LMS with the AGS endpoint claim of an
 * LMS stand-in that answers instantly. The bench client then plays the app: each request posts a
 * score for the next of 1000 students to the line item URL the hand-off named, with the app's API
 * key. Per post the gateway authenticates the app, finds the context, checks the scope, reads the
 * score, stamps a timestamp later than the last one for that user (a database write), takes the
 * cached access token and calls the LMS — the whole of its work for a grade.
 */
export async function startGatewayScoresWorld(dialect: Dialect): Promise<GatewayScoresWorld> {
  const lms = await startInstantLms();
  const world = await startGatewayProcess(dialect, {}, { registration: { token_endpoint: `${lms.url}/token` } }).catch(async (err) => {
    await lms.close();
    throw err;
  });
  try {
    const { handoff } = await world.launch(0, {
      [AGS_ENDPOINT_CLAIM]: { scope: [AGS_SCOPES.score, AGS_SCOPES.lineItem], lineitems: `${lms.url}/lineitems`, lineitem: `${lms.url}/lineitems/1` },
    });
    const lineItemUrl = (JSON.parse(handoff) as { services?: { ags?: { line_item_url?: string } } }).services?.ags?.line_item_url;
    if (!lineItemUrl) throw new Error(`the hand-off names no line item: ${handoff.slice(0, 300)}`);
    const headers = { authorization: `Bearer ${world.apiKey}`, 'content-type': 'application/json' };
    let n = 0;
    return {
      role: world.role,
      received: lms.scores,
      async iteration(check = false) {
        const t: StepTimes = {};
        const i = n++;
        const body = JSON.stringify({ user_id: `student-${i % 1000}`, score_given: i % 11, score_maximum: 10, activity_progress: 'Completed', grading_progress: 'FullyGraded' });
        const answer = await timed(t, 'score', () => request(`${lineItemUrl}/scores`, { method: 'POST', headers, body }));
        expectStatus(answer, 200, 'score');
        if (check && (JSON.parse(answer.body) as { ok?: boolean }).ok !== true) throw new Error(`score: unexpected answer ${answer.body}`);
        return t;
      },
      async close() {
        await world.close();
        await lms.close();
      },
    };
  } catch (err) {
    await world.close();
    await lms.close();
    throw err;
  }
}
