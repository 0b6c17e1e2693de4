import { postScore as postLmsScore } from '../../clients/scores.ts';
import type { Step } from '../pipeline.ts';
import { lmsClientOf } from '../appApi/lmsClientOf.ts';
import type { ScoresContext } from './context.ts';

/**
 * The score to `{lineitem}/scores` with the gateway's timestamp (strictly increasing per line item
 * and user; Moodle's same-second 409 waited out once): 200 `{ok: true, timestamp, lms_status, lms_answer}`.
 */
export const postScore: Step<ScoresContext> = {
  name: 'post_score',
  spec: 'AGS 2.0 §4.3',
  codes: ['lms_refused', 'lms_unavailable', 'lms_token_refused'],
  async run(ctx) {
    const sent = await postLmsScore(lmsClientOf(ctx), ctx.lineItemUrl!, ctx.score!, ctx.gateway.scoreTimestamps);
    ctx.answer = (reply) => reply.send(sent);
  },
};
