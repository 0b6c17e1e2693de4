import type { FastifyReply, FastifyRequest } from 'fastify';
import { runPipeline } from '../../../pipeline/pipeline.ts';
import type { Launcher } from '../../launcher.ts';
import type { Platform } from '../../model/platforms.ts';
import { launcherPipeline, type LauncherContext } from '../context.ts';
import { resolvePlatform } from './resolvePlatform.ts';

const PLATFORM_ONLY = launcherPipeline<LauncherContext>([resolvePlatform]);

/** The platform of a request that is not part of a launch (its documents): timed, refusals counted. */
export async function platformOf(launcher: Launcher, request: FastifyRequest, reply: FastifyReply): Promise<Platform> {
  const ctx: LauncherContext = { launcher, request, reply, launchId: null };
  await runPipeline(PLATFORM_ONLY, ctx, launcher.services);
  return ctx.platform!;
}
