import type { FastifyReply } from 'fastify';
import type { Step } from '../pipeline.ts';
import { NEEDS } from '../appApi/checkServiceScope.ts';
import { findLineItem } from '../appApi/findLineItem.ts';
import { getAccessToken } from '../appApi/getAccessToken.ts';
import { appApiPipeline, handleAppApi, serviceSteps } from '../appApi/pipeline.ts';
import type { ResultsContext } from './context.ts';
import { listResults } from './listResults.ts';
import { readResultsQuery } from './readResultsQuery.ts';

/** `GET <line_item_url>/results[?user_id=]` → `{results, truncated}`. */
export const RESULTS_STEPS: ReadonlyArray<Step<ResultsContext>> = [...serviceSteps(NEEDS.listResults), findLineItem, readResultsQuery, getAccessToken, listResults];

const RESULTS = appApiPipeline(RESULTS_STEPS);

export function handleResults(input: Omit<ResultsContext, 'launchId'>): Promise<FastifyReply> {
  return handleAppApi(RESULTS, input);
}
