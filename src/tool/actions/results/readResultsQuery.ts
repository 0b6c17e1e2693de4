import type { Step } from '../pipeline.ts';
import { queryFields } from '../appApi/appInput.ts';
import type { ResultsContext } from './context.ts';

/** AGS 2.0 §5.2.4: `?user_id=` for one user's result, nothing else. */
export const readResultsQuery: Step<ResultsContext> = {
  name: 'read_results_query',
  spec: 'AGS 2.0 §5.2.4',
  codes: ['app_field_invalid'],
  run(ctx) {
    const { user_id: userId } = queryFields(ctx.query, ['user_id']);
    ctx.resultsQuery = userId === undefined ? {} : { user_id: userId };
  },
};
