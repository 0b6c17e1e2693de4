import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../server/services.ts';
import { CLAIM, COURSE_OFFERING, type UserClaims } from '../lti/claims.ts';
import type { ContextClaims } from '../lti/contextClaims.ts';
import { ValidationError } from '../lti/errors.ts';
import { roleUri } from '../lti/roles.ts';
import { Flow } from './flow.ts';
import { getPlatform } from './platforms.ts';
import type { PlatformTable, ToolTable } from '../store/schema.ts';
import { sendToolLogin, startToolLogin } from './toolLogin.ts';
import { getTool } from './tools.ts';

/** Roles an admin can test with: the context roles tools most often branch on. */
export const TEST_ROLES = ['Learner', 'Instructor', 'TeachingAssistant', 'ContentDeveloper', 'Mentor', 'Administrator'] as const;

export interface TestLaunchInput {
  toolId: string;
  name: string;
  role: string;
  email?: string;
}

/** The course every test launch happens in, so tools that need a context get one. */
const TEST_CONTEXT: ContextClaims = {
  [CLAIM.context]: { id: 'lti-launcher-test-course', label: 'TEST', title: 'Test course (admin test launch)', type: [COURSE_OFFERING] },
};

/** The made-up user of a test launch, as the admin typed it (checked). */
export interface TestUser {
  name: string;
  role: string;
  email?: string;
}

function checkInput(input: TestLaunchInput): TestUser {
  const errors: Record<string, string> = {};
  const name = input.name.trim();
  if (name === '') errors.name = 'is required';
  else if (name.length > 200) errors.name = 'must be at most 200 characters';
  if (!(TEST_ROLES as readonly string[]).includes(input.role)) errors.role = `must be one of ${TEST_ROLES.join(', ')}`;
  const email = input.email?.trim() || undefined;
  if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) errors.email = 'must be an email address such as test@example.edu';
  if (!input.toolId) errors.tool = 'is required';
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return { name, role: input.role, email };
}

/** A checked test launch: the user, and the tool with its platform (a ValidationError or 404 otherwise). */
export async function checkTestLaunch(services: Services, input: TestLaunchInput): Promise<{ user: TestUser; tool: ToolTable; platform: PlatformTable }> {
  const user = checkInput(input);
  const tool = await getTool(services, input.toolId);
  const platform = await getPlatform(services, tool.platform_id);
  return { user, tool, platform };
}

/** The launch-log entry of a test launch, started on the host the admin asked from. */
export async function startTestLaunchLog(services: Services, request: FastifyRequest, platform: PlatformTable, tool: ToolTable): Promise<Flow> {
  const flow = new Flow(services, request);
  flow.platformId = platform.id;
  flow.platformName = platform.name;
  flow.toolId = tool.id;
  flow.toolName = tool.name;
  await flow.start('test_launch_requested', true);
  return flow;
}

/**
 * Launches a tool as a synthetic test user, without the IdP, when the console runs on the
 * platform's own host (or in path tenancy): see `launchAsTestUser`.
 */
export async function startTestLaunch(services: Services, request: FastifyRequest, reply: FastifyReply, input: TestLaunchInput) {
  const { user, tool, platform } = await checkTestLaunch(services, input);
  const flow = await startTestLaunchLog(services, request, platform, tool);
  return launchAsTestUser(services, request, reply, flow, platform, tool, user);
}

/**
 * The test user's launch: the same login hint `callback()` makes after a real sign-in (hashed,
 * bound to this browser on this host, single use), marked `test` in the login hint and the launch
 * log, then the same answer that starts the tool's login. From there the tool and /auth run
 * exactly as for a real launch, so a passing test launch shows the tool accepts our id_tokens.
 */
export async function launchAsTestUser(
  services: Services, request: FastifyRequest, reply: FastifyReply, flow: Flow, platform: PlatformTable, tool: ToolTable, input: TestUser,
) {
  const user: UserClaims = { sub: `test-${randomUUID()}`, name: input.name };
  if (input.email) user.email = input.email;
  const roles = [roleUri(input.role)];
  const target = await startToolLogin(services, request, reply, platform, tool, {
    launchId: flow.launchId!, user, roles, contextClaims: TEST_CONTEXT, test: true,
  });
  await flow.ok('tool_login_redirect', { userSub: user.sub });
  request.log.info({ launch: flow.launchId, tool: tool.id, platform: platform.id }, 'test launch started');
  return sendToolLogin(reply, target);
}
