import { listResults as listLmsResults } from '../../clients/results.ts';
import type { Step } from '../pipeline.ts';
import { lmsClientOf } from '../appApi/lmsClientOf.ts';
import type { ResultsContext } from './context.ts';

/** The line item's results, every page: `{results: [{user_id, result_score, result_maximum, comment}], truncated}`. */
export const listResults: Step<ResultsContext> = {
  name: 'list_results',
  spec: 'AGS 2.0 §5.2',
  codes: ['lms_refused', 'lms_unavailable', 'lms_token_refused'],
  async run(ctx) {
    const results = await listLmsResults(lmsClientOf(ctx), ctx.lineItemUrl!, ctx.resultsQuery);
    ctx.answer = (reply) => reply.send(results);
  },
};
