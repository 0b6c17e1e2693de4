import type { FastifyReply } from 'fastify';
import { answerFlow, gatewayPipeline, type FlowOptions, type Step } from '../pipeline.ts';
import { authenticateApp } from './authenticateApp.ts';
import type { RedeemContext } from './context.ts';
import { handoffRedeemed } from './handoffRedeemed.ts';
import { redeemHandoff } from './redeemHandoff.ts';

/**
 * `GET /api/v1/launches/<code>` with `Authorization: Bearer <api key>`: the app's server redeems
 * a hand-off code, once, for the launch it stands for. Every refusal is a 4xx with a code and nothing else.
 */
export const REDEEM_STEPS: ReadonlyArray<Step<RedeemContext>> = [
  authenticateApp,
  redeemHandoff,
  handoffRedeemed,
];

/**
 * The request names no platform: it is tied to a launch by its app. Without a valid API key it is
 * anonymous (counted, never written); with one, a refusal is the app's and gets an entry of its
 * own. A redemption adds only `send_launch` to its launch's entry: the launch was checked by then.
 */
const REDEEM_RECORDING: FlowOptions = {
  attributed: ({ toolId }) => toolId !== null,
  logsPassedChecks: false,
};

const REDEEM = gatewayPipeline(REDEEM_STEPS, REDEEM_RECORDING);

export function handleRedeem(input: Omit<RedeemContext, 'launchId'>): Promise<FastifyReply> {
  const ctx: RedeemContext = { ...input, launchId: null };
  // The answer, a refusal as well, is the launch's data or about it: never cached.
  ctx.reply.header('cache-control', 'no-store');
  return answerFlow(REDEEM, ctx);
}
