import type { Step } from '../pipeline.ts';
import type { RedeemContext } from './context.ts';

/** The answer: the launch summary as JSON; the step is the one the launch's entry gains. */
export const handoffRedeemed: Step<RedeemContext> = {
  name: 'send_launch',
  run(ctx) {
    const summary = ctx.summary!;
    ctx.answer = (reply) => reply.send(summary);
  },
};
