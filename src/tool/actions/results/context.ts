import type { AppApiContext } from '../appApi/context.ts';

/** What the steps of `GET /api/v1/contexts/<context>/line_items/<item>/results` read and fill in. */
export interface ResultsContext extends AppApiContext {
  resultsQuery?: { user_id?: string };
}
