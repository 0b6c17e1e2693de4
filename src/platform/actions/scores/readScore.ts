import { parseJsonObject, readScore as readScoreBody } from '../../../lti/services/ags.ts';
import type { AgsContext } from '../ags/context.ts';
import type { Step } from '../context.ts';

/** The score a tool posts (AGS 2.0 §4.3): every required field present, each of its type. */
export const readScore: Step<AgsContext> = {
  name: 'read_score',
  spec: 'AGS 2.0 §4.3 (score)',
  codes: ['ags_body_malformed', 'score_field_invalid'],
  run(ctx) {
    ctx.score = readScoreBody(parseJsonObject(ctx.request.body));
  },
};
