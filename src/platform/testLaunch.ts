import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerPipeline } from '../pipeline/pipeline.ts';
import { CLAIM, COURSE_OFFERING, type UserClaims } from '../lti/claims.ts';
import type { ContextClaims } from '../lti/claims.ts';
import { ValidationError } from '../input/errors.ts';
import { roleUri } from '../lti/roles.ts';
import { launcherPipeline, type LauncherContext, type Step } from './actions/context.ts';
import type { Launcher } from './launcher.ts';
import type { Platform } from './model/platforms.ts';
import type { Tool } from './model/tools.ts';
import { sendToolLogin, startToolLogin } from './toolLogin.ts';

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
export async function checkTestLaunch(launcher: Launcher, input: TestLaunchInput): Promise<TestLaunchTarget> {
  const user = checkInput(input);
  const tool = await launcher.tools.get(input.toolId);
  const platform = await launcher.platforms.get(tool.platformId);
  return { user, tool, platform };
}

export interface TestLaunchTarget {
  user: TestUser;
  tool: Tool;
  platform: Platform;
}

/** What the steps of a test launch read and fill in. */
export interface TestLaunchContext extends LauncherContext {
  user?: TestUser;
}

/**
 * The test user's launch: the same login hint the callback makes after a real sign-in (hashed,
 * bound to this browser on this host, single use), marked `test` in the login hint and the launch
 * log, then the same answer that starts the tool's login. From there the tool and /auth run
 * exactly as for a real launch, so a passing test launch shows the tool accepts our id_tokens.
 */
export const testToolLoginRedirect: Step<TestLaunchContext> = {
  name: 'redirect_to_tool_login',
  async run(ctx) {
    const platform = ctx.platform!;
    const tool = ctx.tool!;
    const input = ctx.user!;
    const user: UserClaims = { sub: `test-${randomUUID()}`, name: input.name };
    if (input.email) user.email = input.email;
    const target = await startToolLogin(ctx.launcher, ctx.request, ctx.reply, platform, tool, {
      launchId: ctx.launchId!, user, roles: [roleUri(input.role)], contextClaims: TEST_CONTEXT, test: true,
    });
    ctx.userSub = user.sub;
    ctx.request.log.info({ launch: ctx.launchId, tool: tool.id, platform: platform.id }, 'test launch started');
    ctx.answer = (reply) => sendToolLogin(reply, target);
  },
};

/** A test launch's entry in the launch log, started on the host the admin asked from. */
export const testLaunchRequested: Step<TestLaunchContext> = { name: 'test_launch_requested', opens: true };

const TEST_LAUNCH_HERE = launcherPipeline<TestLaunchContext>([testLaunchRequested, testToolLoginRedirect]);

/**
 * Launches a tool as a synthetic test user, without the IdP, when the console runs on the
 * platform's own host (or in path tenancy).
 */
export function startTestLaunch(launcher: Launcher, request: FastifyRequest, reply: FastifyReply, target: TestLaunchTarget): Promise<FastifyReply> {
  const ctx: TestLaunchContext = { launcher, request, reply, launchId: null, test: true, ...target };
  return answerPipeline(TEST_LAUNCH_HERE, ctx, launcher.services);
}
