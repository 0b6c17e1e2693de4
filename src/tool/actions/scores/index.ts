import type { FastifyReply } from 'fastify';
import type { Step } from '../pipeline.ts';
import { NEEDS } from '../appApi/checkServiceScope.ts';
import { findLineItem } from '../appApi/findLineItem.ts';
import { getAccessToken } from '../appApi/getAccessToken.ts';
import { appApiPipeline, handleAppApi, serviceSteps } from '../appApi/pipeline.ts';
import type { ScoresContext } from './context.ts';
import { postScore } from './postScore.ts';
import { readScore } from './readScore.ts';

/** `POST <line_item_url>/scores` `{user_id, score_given?, score_maximum?, comment?, activity_progress, grading_progress}`. */
export const SCORES_STEPS: ReadonlyArray<Step<ScoresContext>> = [...serviceSteps(NEEDS.postScore), findLineItem, readScore, getAccessToken, postScore];

const SCORES = appApiPipeline(SCORES_STEPS);

export function handleScores(input: Omit<ScoresContext, 'launchId'>): Promise<FastifyReply> {
  return handleAppApi(SCORES, input);
}
