import type { FastifyReply } from 'fastify';
import { answerFlow, gatewayPipeline, type Step } from '../pipeline.ts';
import { bindBrowser } from './bindBrowser.ts';
import { checkClaimsText } from './checkClaimsText.ts';
import { claimChecks } from './claimChecks.ts';
import { consumeState } from './consumeState.ts';
import type { LaunchContext } from './context.ts';
import { findLoginState } from './findLoginState.ts';
import { handOff } from './handOff.ts';
import { readLaunchForm } from './readLaunchForm.ts';
import { recordServiceEndpoints } from './recordServiceEndpoints.ts';
import { resolveApp } from './resolveApp.ts';
import { useNonce } from './useNonce.ts';
import { verifySignature } from './verifySignature.ts';

/**
 * `POST /lti/launch[/<slug>]`: the platform's authentication response (Security Framework
 * §5.1.1.3), validated as §5.1.3 lists it, then handed off to the app. The launch's second request:
 * find_login_state finds its entry in the launch log.
 */
export const LAUNCH_STEPS: ReadonlyArray<Step<LaunchContext>> = [
  readLaunchForm,
  findLoginState,
  bindBrowser,
  checkClaimsText,
  consumeState,
  verifySignature,
  ...claimChecks,
  useNonce,
  resolveApp,
  recordServiceEndpoints,
  handOff,
];

const LAUNCH = gatewayPipeline(LAUNCH_STEPS);

export function handleLaunch(input: Omit<LaunchContext, 'launchId'>): Promise<FastifyReply> {
  const ctx: LaunchContext = { ...input, launchId: null };
  return answerFlow(LAUNCH, ctx);
}
