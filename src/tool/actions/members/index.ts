import type { FastifyReply } from 'fastify';
import type { Step } from '../pipeline.ts';
import { NEEDS } from '../appApi/checkServiceScope.ts';
import { getAccessToken } from '../appApi/getAccessToken.ts';
import { appApiPipeline, handleAppApi, serviceSteps } from '../appApi/pipeline.ts';
import type { MembersContext } from './context.ts';
import { listMembers } from './listMembers.ts';
import { readMembersQuery } from './readMembersQuery.ts';

/** `GET /api/v1/contexts/<context>/members[?role=Learner]` → `{context, members, truncated}`. */
export const MEMBERS_STEPS: ReadonlyArray<Step<MembersContext>> = [...serviceSteps(NEEDS.members), readMembersQuery, getAccessToken, listMembers];

const MEMBERS = appApiPipeline(MEMBERS_STEPS);

export function handleMembers(input: Omit<MembersContext, 'launchId'>): Promise<FastifyReply> {
  return handleAppApi(MEMBERS, input);
}
