import type { AppScore } from '../../clients/scores.ts';
import type { AppApiContext } from '../appApi/context.ts';

/** What the steps of `POST /api/v1/contexts/<context>/line_items/<item>/scores` read and fill in. */
export interface ScoresContext extends AppApiContext {
  score?: AppScore;
}
